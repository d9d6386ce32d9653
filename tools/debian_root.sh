#!/usr/bin/env bash
# Run a make target of this repository inside a root of another Debian release.
#
#   tools/debian_root.sh RELEASE [MAKE TARGET ...]      (default target: test)
#
# RELEASE is a Debian codename or suite: bookworm (QGIS 3.22), trixie (QGIS
# 3.40), unstable/sid (the newest QGIS Debian has), or "other": the one of
# bookworm/trixie this machine is not. The root is built once with mmdebstrap
# from Debian's own packages, through the same mirror this machine's apt uses,
# and cached in $COVIDMAPS_ROOTS (default /var/cache/covidmaps/roots). The
# working tree is copied in (its .venv and node_modules stay inside the root
# between runs, so a second run installs nothing), the target runs as root in
# a chroot, and tests/artifacts comes back as tests/artifacts/debian-RELEASE/.
#
# Needs root, mmdebstrap (installed when missing) and about 5 GB of disk per
# release. Nothing here reaches anything but the package registries.
set -euo pipefail

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage
release=$1; shift
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(test)

repo=$(cd "$(dirname "$0")/.." && pwd)
host=$(. /etc/os-release && echo "${VERSION_CODENAME:-unknown}")
case "$release" in
  other) case "$host" in bookworm) release=trixie ;; trixie) release=bookworm ;;
           *) echo "this machine is Debian '$host': name the release to run" >&2; exit 2 ;; esac ;;
  sid) release=unstable ;;
  bookworm|trixie|unstable) ;;
  *) echo "unknown release '$release' (bookworm, trixie, unstable or other)" >&2; exit 2 ;;
esac

if [ "$(id -u)" != 0 ]; then echo "run as root (mmdebstrap and chroot)" >&2; exit 2; fi

cache=${COVIDMAPS_ROOTS:-/var/cache/covidmaps/roots}
root=$cache/$release
work=$root/work/covidmaps

# The mirror this machine's apt already uses (deb822 or one-line sources),
# so the root needs no address of its own.
mirror() {
  local uri
  uri=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null \
          | awk '{print $2}' | grep -v -- '-security' | grep -m1 debian || true)
  [ -n "$uri" ] || uri=$(grep -hsE '^deb ' /etc/apt/sources.list 2>/dev/null \
          | awk '{print $2}' | grep -v -- '-security' | grep -m1 debian || true)
  [ -n "$uri" ] || { echo "no Debian mirror found in /etc/apt" >&2; exit 1; }
  echo "$uri"
}

mkdir -p "$cache"
exec 9>"$cache/$release.lock"
flock -n 9 || { echo "another run is using the $release root ($cache/$release.lock)" >&2; exit 1; }

mounted=()
cleanup() {
  local i
  for ((i=${#mounted[@]}-1; i>=0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
}
trap cleanup EXIT

bind() {  # bind SRC DEST [ro]
  mkdir -p "$2"
  mount --bind "$1" "$2"
  mounted+=("$2")
  if [ "${3:-}" = ro ]; then mount -o remount,bind,ro "$2"; fi
}

for tool in mmdebstrap rsync; do
  command -v $tool >/dev/null || {
    apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $tool; }
done

if [ ! -f "$root/.covidmaps-root" ]; then
  # never delete through a bind mount a crashed run may have left behind
  if grep -q " $root/" /proc/mounts; then
    echo "$root still has mounts (see /proc/mounts): unmount them first" >&2; exit 1
  fi
  rm -rf --one-file-system "$root"
  echo "building a Debian $release root in $root (a few minutes, once)"
  # unstable's Release file can outlive its Valid-Until on a mirror that is a
  # dated snapshot; the signature is still checked
  mmdebstrap --variant=apt --aptopt='Acquire::Check-Valid-Until "false"' \
    --include=python3-qgis,qgis-providers,qgis,git,make,ca-certificates,rsync,locales \
    "$release" "$root" "deb $(mirror) $release main"
  touch "$root/.covidmaps-root"
fi

# The machine's package-client settings (CA bundle, pip and npm configuration),
# so pip and npm inside the root reach the same registries.
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
[ -f /etc/pip.conf ] && cp /etc/pip.conf "$root/etc/pip.conf"
if [ -d /etc/xdg/pip ]; then mkdir -p "$root/etc/xdg"; rm -rf "$root/etc/xdg/pip"; cp -r /etc/xdg/pip "$root/etc/xdg/pip"; fi
[ -f "$HOME/.npmrc" ] && cp "$HOME/.npmrc" "$root/root/.npmrc"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

bind /proc "$root/proc"
bind /sys "$root/sys"
bind /dev "$root/dev"
bind /dev/pts "$root/dev/pts"
# local wheel directories and indexes that pip.conf may name
for d in /opt/wheels /opt/pypi /opt/pypi-more; do [ -d "$d" ] && bind "$d" "$root$d" ro; done

mkdir -p "$work"
rsync -a --delete \
  --exclude=/.venv --exclude=/publish/web/node_modules --exclude=/dist \
  --exclude=/tests/artifacts --exclude=/.demo --exclude='__pycache__' --exclude='*.qm' \
  "$repo/" "$work/"

status=0
chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
  LANG=C.UTF-8 TERM=dumb CI="${CI:-}" \
  bash -c 'cd /work/covidmaps && qgis_version=$(python3 -c "from qgis.core import Qgis; print(Qgis.QGIS_VERSION)" 2>/dev/null || echo "?"); echo "Debian $(cat /etc/debian_version), QGIS $qgis_version"; make "$@"' \
  make "${targets[@]}" || status=$?

if [ -d "$work/tests/artifacts" ]; then
  rm -rf "$repo/tests/artifacts/debian-$release"
  mkdir -p "$repo/tests/artifacts"
  cp -r "$work/tests/artifacts" "$repo/tests/artifacts/debian-$release"
fi
exit $status
