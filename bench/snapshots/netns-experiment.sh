#!/usr/bin/env bash
# Run by netns-experiment.ts (which sets DOCKER_HOST, SPACEPORT_CRIU, SNAP_ROOT, EXEC_ROOT, OUT): busybox
# httpd, 4 runs per mode by turns: `own` (on a bridge network: Docker's libnetwork prestart hook runs in
# runc's create and in CRIU's setup-namespaces callback) and `shared` (joined to a sleeping sandbox
# container's namespace: no hook). Per run: a cold restart (docker stop, start, first byte) and a
# restore (runc checkpoint into the runtime's snapshot root, docker start, first byte); CRIU's
# restore.log kept as $OUT/restore-<mode>-<run>.log.
set -u
D="docker -H $DOCKER_HOST"
IMG=spaceport-test/busybox:1
RUNCROOT=$EXEC_ROOT/runtime-runc/moby
mkdir -p "$SNAP_ROOT"
$D network create spx >/dev/null
ms() { date +%s%3N; }
wait200() { local ip=127.0.0.1:$($D port $1 7860/tcp | head -1 | cut -d: -f2); for i in $(seq 1 4000); do curl -s -o /dev/null -m 1 "http://$ip/" && return 0; sleep 0.005; done; return 1; }
one() { # mode run
  local mode=$1 run=$2 netarg ipof
  if [ "$mode" = shared ]; then
    $D run -d --name sbx --network spx -p 127.0.0.1::7860 $IMG sleep 100000 >/dev/null
    netarg="--network container:sbx"; ipof=sbx
  else netarg="--network spx -p 127.0.0.1::7860"; ipof=app; fi
  local id=$($D run -d --name app --runtime spaceport-restore $netarg $IMG httpd -f -p 7860 -h /)
  wait200 $ipof || echo "no answer cold"
  # cold restart timing
  $D stop -t 1 app >/dev/null; local t0=$(ms); $D start app >/dev/null; wait200 $ipof; local cold=$(( $(ms)-t0 ))
  mkdir -p $SNAP_ROOT/$id/images $SNAP_ROOT/$id/work
  runc --root $RUNCROOT --criu $SPACEPORT_CRIU checkpoint --image-path $SNAP_ROOT/$id/images --work-path $SNAP_ROOT/$id/work --file-locks $id || echo DUMP FAILED
  for i in $(seq 100); do [ "$($D inspect -f '{{.State.Running}}' app)" = false ] && break; sleep 0.05; done
  touch $SNAP_ROOT/$id/ready
  t0=$(ms); $D start app >/dev/null; wait200 $ipof; local wake=$(( $(ms)-t0 ))
  echo "$mode run=$run cold=${cold}ms restore-wake=${wake}ms outcome=$(cat $SNAP_ROOT/$id/outcome 2>/dev/null) timings=$(cat $SNAP_ROOT/$id/timings 2>/dev/null | awk '{printf "%.0f", ($3-$2)*1000}')ms-runc-restore"
  cp $SNAP_ROOT/$id/work/restore.log $OUT/restore-$mode-$run.log 2>/dev/null
  $D rm -f app >/dev/null; [ "$mode" = shared ] && $D rm -f sbx >/dev/null
  rm -rf $SNAP_ROOT/$id $SNAP_ROOT/$id.criu.conf
}
for r in 1 2 3 4; do one own $r; one shared $r; done
$D network rm spx >/dev/null
# CRIU's own clock in each restore.log: the setup-namespaces callback (the hook), network-unlock to the end, the whole restore.
for f in "$OUT"/restore-*.log; do
  awk '/Running setup-namespaces scripts/{a=substr($1,2,9)} /Running post-setup-namespaces/{b=substr($1,2,9)} /Running network-unlock scripts/{c=substr($1,2,9)} /Restore finished/{d=substr($1,2,9)} END{printf "%s setup-namespaces %.3f s, network-unlock to the end %.3f s, restore %.3f s\n", FILENAME, b-a, d-c, d}' "$f"
done
