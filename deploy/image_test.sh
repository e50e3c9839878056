#!/usr/bin/env bash
# `make image-test`: the production image built and run for real (deploy/image_test.py).
# Skips, saying why, where podman cannot run; installs podman, runc and debootstrap from
# Debian's packages when they are missing and we are root.
set -euo pipefail
cd "$(dirname "$0")/.."

skip() { echo "image-test SKIPPED: $*"; exit 0; }

missing=""
for tool in podman runc debootstrap; do
  command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing$missing from Debian's packages"
    apt-get update -qq >/dev/null 2>&1 || true
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null 2>&1 \
      || skip "could not install$missing"
  else
    skip "$missing not installed (apt-get install podman runc debootstrap, as root)"
  fi
fi
command -v redis-server >/dev/null 2>&1 || skip "redis-server not installed"

# This machine's podman settings are left alone: ours (no ulimits to raise, cgroupfs, runc).
export CONTAINERS_CONF="$PWD/deploy/podman/containers.conf"
if ! probe=$(podman info 2>&1 >/dev/null); then
  skip "podman does not work here: $(echo "$probe" | tail -n 1)"
fi
exec .venv/bin/python deploy/image_test.py "$@"
