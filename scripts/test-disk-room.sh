#!/usr/bin/env bash
# Before `make test`: room on the disk the engine and the test cluster share. A full run writes
# ~15–20 GB (BuildKit's cache of package installs, images, the cluster's containerd); past 99 % the
# test cluster's kubelet evicts pods and collects images it cannot pull again (its pause image).
# The engine's BuildKit cache is pruned down to SPACEPORT_TEST_BUILD_CACHE_KEEP (default 15GB, oldest
# first). With less than SPACEPORT_TEST_MIN_FREE_GB free (default 5) the run stops here, saying so,
# instead of failing later in ways that look like bugs; under 25 GB it warns.
set -euo pipefail
keep="${SPACEPORT_TEST_BUILD_CACHE_KEEP:-15GB}"
min_free_gb="${SPACEPORT_TEST_MIN_FREE_GB:-5}"
if docker info >/dev/null 2>&1; then
  docker builder prune -f --keep-storage "$keep" >/dev/null 2>&1 || echo "test-disk-room: could not prune the BuildKit cache (going on)" >&2
fi
root="$(docker info --format '{{.DockerRootDir}}' 2>/dev/null || echo /var/lib/docker)"
free_kb="$(df -Pk "$root" | awk 'NR==2 {print $4}')"
free_gb=$((free_kb / 1024 / 1024))
if [ "$free_gb" -lt "$min_free_gb" ]; then
  echo "test-disk-room: only ${free_gb} GB free on the disk of $root; the tests need about ${min_free_gb} GB (set SPACEPORT_TEST_MIN_FREE_GB to change). Free some room (docker system df) and run again." >&2
  exit 1
fi
if [ "$free_gb" -lt 25 ]; then
  echo "test-disk-room: warning: ${free_gb} GB free; a full run writes 15–20 GB (docker system df shows what the engine holds)" >&2
fi
echo "test-disk-room: ${free_gb} GB free; BuildKit cache kept under ${keep}"
