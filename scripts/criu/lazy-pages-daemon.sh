#!/usr/bin/env bash
# The page server of one lazy restore (ARCHITECTURE.md, "Snapshot wake", lazy pages), started by
# restore-runtime.sh in a session of its own before `runc restore --lazy-pages`. It runs
# `criu lazy-pages`, which answers the restored process's page faults (userfaultfd) from the
# snapshot's images and streams the remaining pages in the background, then exits by itself.
# It has a deadline: past it the daemon is killed, and so is the container (its memory would be
# incomplete; Docker sees it exit and the next visit starts it cold). Nothing of it outlives that.
# Usage: lazy-pages-daemon.sh <criu> <snapshot dir> <deadline s> <container id> <runc> [runc global options…]
set -uo pipefail
criu="$1" snap="$2" deadline="$3" id="$4" runc="$5"
shift 5
# The images stay readable after Spaceport deletes the spent snapshot: the daemon holds them open.
# (--foreground: timeout stays in this session's process group, so the wrapper can end all of it at once.)
timeout --foreground -k 2 "$deadline" "$criu" lazy-pages --images-dir "$snap/images" --work-dir "$snap/work" -o lazy-pages.log -v2
rc=$?
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
  "$runc" "$@" kill "$id" KILL 2> /dev/null
fi
exit "$rc"
