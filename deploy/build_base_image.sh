#!/usr/bin/env bash
# A Debian bookworm base image made with debootstrap from Debian's packages, for machines that
# reach Debian's archive but no image registry (bookworm's python3 is 3.11, as the image needs).
# Imported into podman as $BASE_TAG; the root filesystem's tarball is cached under $CACHE so the
# slow debootstrap runs once per machine. The archive's address is read from this machine's apt
# sources (or DEBIAN_MIRROR), never written here.
#
#     bash deploy/build_base_image.sh            prints the image's tag on its last line
set -euo pipefail

CACHE=${TWITCHLOG_IMAGE_CACHE:-/var/tmp/twitchlog-image}
BASE_TAG=${BASE_TAG:-localhost/twitchlog-base:bookworm}
# python3-venv brings ensurepip (a venv with pip); ca-certificates for TLS to PostgreSQL/SMTP hosts.
PACKAGES=python3,python3-venv,ca-certificates,tzdata
TARBALL="$CACHE/bookworm-base-$(echo "$PACKAGES" | md5sum | cut -c1-8).tar"

debian_mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  # deb822 sources first, then the one-line format; the first archive that serves bookworm.
  local uri
  uri=$(awk '/^URIs:/ {print $2}' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n1 || true)
  if [ -z "$uri" ]; then
    uri=$(awk '$1 == "deb" && $3 ~ /^bookworm$/ {print $2}' /etc/apt/sources.list 2>/dev/null | head -n1 || true)
  fi
  [ -n "$uri" ] || { echo "no Debian archive in the apt sources: set DEBIAN_MIRROR" >&2; exit 1; }
  echo "$uri"
}

mkdir -p "$CACHE"
if [ ! -s "$TARBALL" ]; then
  command -v debootstrap >/dev/null || { echo "debootstrap is not installed" >&2; exit 1; }
  rootfs=$(mktemp -d "$CACHE/rootfs.XXXXXX")
  trap 'rm -rf "$rootfs"' EXIT
  echo "debootstrap bookworm into $rootfs (once per machine; cached as $TARBALL)" >&2
  debootstrap --variant=minbase --include="$PACKAGES" bookworm "$rootfs" "$(debian_mirror)" >"$CACHE/debootstrap.log" 2>&1 \
    || { tail -n 20 "$CACHE/debootstrap.log" >&2; exit 1; }
  # An image needs no package lists, caches or docs: smaller layers, the same Python.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/*
  tar -C "$rootfs" -cf "$TARBALL.part" .
  mv "$TARBALL.part" "$TARBALL"
fi

if ! podman image exists "$BASE_TAG" || [ "$TARBALL" -nt "$CACHE/imported.stamp" ]; then
  podman import --change 'CMD ["/bin/bash"]' "$TARBALL" "$BASE_TAG" >/dev/null
  touch "$CACHE/imported.stamp"
fi
echo "$BASE_TAG"
