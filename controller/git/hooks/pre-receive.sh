#!/bin/bash
# Spaceport pre-receive hook (installed into each Space's bare repo as `hooks/pre-receive`).
#
# A push over Spaceport's HTTP handler comes with SPACEPORT_PUSH_HOOK_PORT and a per-push token:
# this script hands the ref updates and the quarantine directory (where git keeps the push's
# objects until the hook agrees) to Spaceport over loopback, which judges the push in its own
# process (push-rules.mjs: refs, file sizes, README metadata, LFS pointers) and answers `ok` or
# `refuse` and the lines to show. Bash only, no program started: a Node hook cost 150–250 ms of
# startup on every push. No answer, or a bad one, refuses the push (the ref never moves unchecked).
#
# Any other push (a local one into the bare repo): the same rules in Node (pre-receive.mjs).
export LC_ALL=C
port=${SPACEPORT_PUSH_HOOK_PORT:-}
token=${SPACEPORT_PUSH_CHECK_TOKEN:-}
if [ -z "$port" ] || [ -z "$token" ]; then
  exec node "${0%/*}/pre-receive.mjs"
fi

refuse() {
  printf 'pre-receive hook failed: %s\n' "$1" >&2
  exit 1
}
case $port in '' | *[!0-9]*) refuse 'bad push-check port' ;; esac
case $token in '' | *[!0-9a-f]*) refuse 'bad push-check token' ;; esac

IFS= read -r -d '' updates || true
body="${GIT_QUARANTINE_PATH:-}"$'\n'"$updates"
exec 3<>"/dev/tcp/127.0.0.1/$port" || refuse 'Spaceport cannot be reached'
printf 'POST /push-hook HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
  "$token" "${#body}" "$body" >&3 || refuse 'Spaceport cannot be reached'

# Deadline for each read: the check itself may walk a large push.
wait_s=600
IFS= read -r -t "$wait_s" status <&3 || refuse 'no answer from Spaceport'
case $status in 'HTTP/1.1 200 '*) ;; *) refuse "Spaceport answered ${status%$'\r'}" ;; esac
while IFS= read -r -t "$wait_s" line <&3; do
  [ "$line" = $'\r' ] && break
done
IFS= read -r -t "$wait_s" verdict <&3 || refuse 'no verdict from Spaceport'
while IFS= read -r -t "$wait_s" line <&3 || [ -n "$line" ]; do
  printf '%s\n' "$line" >&2
done
exec 3<&-
case $verdict in
  ok) exit 0 ;;
  refuse) exit 1 ;;
  *) refuse 'bad verdict from Spaceport' ;;
esac
