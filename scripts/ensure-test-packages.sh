#!/usr/bin/env bash
# The system packages the test tiers use, installed only when missing (the make targets call this; see
# docs/testing.md). When everything is present it only looks (well under a second). On Debian as root
# it installs what is missing with one `apt-get update` and one `apt-get install`; anywhere else it
# names what is missing and the fix, and fails.
#
#   scripts/ensure-test-packages.sh main   # make test's main tier: git, git-lfs, Docker's dockerd, debootstrap,
#                                          # Chromium, wrk, nginx, haproxy, static busybox, iproute2, python3 with venv and
#                                          # pip, and huggingface_hub 1.33.0 for python3 (test/hub-client, from PyPI)
#   scripts/ensure-test-packages.sh k8s    # the Kubernetes tier and make k8s-up / cluster-up: containerd, runc,
#                                          # the CNI plugins, docker-registry, gcc and libc headers, openssl,
#                                          # ipset and iptables (kube-router's NetworkPolicy firewall), ...
#   scripts/ensure-test-packages.sh all    # both (make test)
#   --check (after the tier): report what is missing (exit 1 if anything is), install nothing.
#
# Not here: the Docker engine itself (scripts/ensure-docker.sh starts one), Node.js (the machine's),
# Go (scripts/k8s/build-tools.sh), the Python venvs (scripts/hub-client-venvs.sh, ensure-schemathesis.sh).
set -euo pipefail

HF_HUB_VERSION=1.33.0
tier="${1:-}"
mode="${2:-install}"
case "$tier" in main | k8s | all) ;; *) echo "usage: $0 main|k8s|all [--check]" >&2; exit 2 ;; esac
case "$mode" in install | --check) ;; *) echo "usage: $0 main|k8s|all [--check]" >&2; exit 2 ;; esac

missing=() # Debian packages, in the order found
want() {   # PACKAGE TEST...: PACKAGE is missing when TEST fails
  local pkg="$1"
  shift
  if ! "$@" >/dev/null 2>&1; then
    case " ${missing[*]} " in *" $pkg "*) ;; *) missing+=("$pkg") ;; esac
  fi
}
has() { for c in "$@"; do command -v "$c" || return 1; done; }
# test/support/test-image.ts wants Debian's static busybox at /bin/busybox (`ldd` fails on a static binary).
static_busybox() { [ -x /bin/busybox ] && ! ldd /bin/busybox; }
cni_plugins() { for p in bridge host-local portmap loopback; do [ -x /usr/lib/cni/$p ] || return 1; done; }
# Whether python3 has these modules (found, not imported: quick even behind pyenv's shims).
py_has() { python3 -c 'import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in sys.argv[1:]))' "$@"; }

common() {
  want git has git
  want curl has curl
  want iproute2 has ip ss
  want python3 has python3
  want util-linux has setsid flock
  want debootstrap has debootstrap # base images (main), the controller image (cluster-up)
  want busybox-static static_busybox # the runtime suites' test image, here and on the test cluster
}
main_tier() {
  want git-lfs git lfs version  # test/git/lfs.test.ts
  want python3-venv py_has venv ensurepip # the huggingface_hub and schemathesis venvs
  want python3-pip py_has pip             # huggingface_hub for python3 (below)
  want chromium test -x /usr/bin/chromium # test/web, test/e2e (Playwright drives /usr/bin/chromium)
  want wrk has wrk              # bench/proxy
  want nginx has nginx          # bench/proxy
  want haproxy has haproxy      # bench/proxy (HAProxy alone)
  want docker.io has dockerd    # test/faults start an engine of their own
  want docker-registry has docker-registry # test/builder/registry-mirror.test.ts (a registry mirror)
  want criu test -x /usr/sbin/criu          # test/snapshots: Debian 12's criu 3.17, which fails on this kernel
}
k8s_tier() {
  want containerd has containerd containerd-shim-runc-v2 ctr
  want runc has runc
  want containernetworking-plugins cni_plugins
  want docker-registry has docker-registry
  want gcc has gcc                           # the pause binary, linked statically
  want libc6-dev test -f /usr/include/stdio.h
  want openssl has openssl                   # the cluster's certificates
  want ipset has ipset                       # kube-router's firewall (NetworkPolicy on the real node)
  want iptables has iptables iptables-save iptables-restore
}

common
case "$tier" in
  main) main_tier ;;
  k8s) k8s_tier ;;
  all) main_tier; k8s_tier ;;
esac

is_debian_root() { [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; }

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$mode" = --check ]; then
    echo "test packages ($tier): missing ${missing[*]}" >&2
    exit 1
  fi
  if ! is_debian_root; then
    echo "spaceport: the $tier test tier needs: ${missing[*]}. Fix: apt-get install -y ${missing[*]} (as root on Debian 12, or your platform's packages)." >&2
    exit 1
  fi
  echo "spaceport: installing ${missing[*]} (for the $tier test tier) ..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The Hub's own Python client for python3 itself (test/support/hub-client.ts runs test/hub-client/*.py with it).
if [ "$tier" != k8s ] && ! py_has huggingface_hub; then
  if [ "$mode" = --check ]; then
    echo "test packages ($tier): missing huggingface_hub for $(command -v python3)" >&2
    exit 1
  fi
  echo "spaceport: installing huggingface_hub==$HF_HUB_VERSION for $(command -v python3) (test/hub-client) ..." >&2
  # Debian's own python3 refuses installs outside a venv (PEP 668); on a test machine that is what we want.
  PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore "huggingface_hub==$HF_HUB_VERSION" >&2
fi
