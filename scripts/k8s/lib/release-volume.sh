# The controller's volume on a cluster without a storage provisioner, and why an install is stuck.
# Sourced by scripts/k8s/spaceport-cluster.sh (and test/k8s/cluster-up-volume.test.ts); the caller
# defines kubectl_ (kubectl with its kubeconfig).
# shellcheck shell=bash

# ensure_claimed_pv NAME DIR NAMESPACE CLAIM STORAGE_CLASS SIZE: a Retain hostPath volume reserved for
# the claim NAMESPACE/CLAIM. After `helm uninstall` deleted that claim the volume is `Released`: it
# keeps the old claim's uid in spec.claimRef and never binds again (a new claim of the same name stays
# Pending forever). Clearing the uid makes it Available to the claim it names, data intact.
ensure_claimed_pv() {
  local name=$1 dir=$2 ns=$3 claim=$4 class=$5 size=$6 phase
  phase="$(kubectl_ get pv "$name" -o 'jsonpath={.status.phase}' 2>/dev/null || true)"
  if [ "$phase" = Released ]; then
    kubectl_ patch pv "$name" --type merge -p '{"spec":{"claimRef":{"uid":null,"resourceVersion":null}}}' >/dev/null
  fi
  kubectl_ apply -f - >/dev/null <<YAML
apiVersion: v1
kind: PersistentVolume
metadata:
  name: $name
  labels: { app.kubernetes.io/part-of: spaceport }
spec:
  capacity: { storage: $size }
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: $class
  hostPath: { path: $dir, type: Directory }
  claimRef: { namespace: $ns, name: $claim }
YAML
}

# explain_pending NAMESPACE: what keeps an install from becoming ready: the pods that are not Running
# with their Warning events (FailedScheduling, FailedMount, ImagePullBackOff, ...), and the claims'.
explain_pending() {
  local ns=$1 pods pod claims claim
  pods="$(kubectl_ get pods -n "$ns" -o 'jsonpath={range .items[?(@.status.phase!="Running")]}{.metadata.name}{"\n"}{end}' 2>/dev/null || true)"
  claims="$(kubectl_ get pvc -n "$ns" -o 'jsonpath={range .items[?(@.status.phase!="Bound")]}{.metadata.name}{"\n"}{end}' 2>/dev/null || true)"
  for pod in $pods; do
    echo "pod $pod is $(kubectl_ get pod "$pod" -n "$ns" -o 'jsonpath={.status.phase}' 2>/dev/null || echo gone):"
    kubectl_ get events -n "$ns" --field-selector "involvedObject.kind=Pod,involvedObject.name=$pod,type=Warning" \
      -o 'custom-columns=REASON:.reason,MESSAGE:.message' --no-headers 2>/dev/null | tail -5 | sed 's/^/  /'
  done
  for claim in $claims; do
    echo "claim $claim is $(kubectl_ get pvc "$claim" -n "$ns" -o 'jsonpath={.status.phase}' 2>/dev/null || echo gone):"
    kubectl_ get events -n "$ns" --field-selector "involvedObject.kind=PersistentVolumeClaim,involvedObject.name=$claim" \
      -o 'custom-columns=REASON:.reason,MESSAGE:.message' --no-headers 2>/dev/null | tail -5 | sed 's/^/  /'
  done
}
