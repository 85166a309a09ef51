#!/bin/sh
# Prepares a Debian 12 machine for the integration and e2e suites (root only). Only
# bookworm packages and packages built here are installed into the system; see
# test/env/README.md for what lands where and why.
#   - host packages from bookworm (packages.sh, stamped);
#   - CRIU 4.1.1 built for bookworm, installed as local .debs (criu.sh);
#   - Podman 4.3.1, conmon, crun 1.8.1, runc 1.1.5 and a JDK from bookworm (podman-packages.sh);
#   - containerd 1.6.20 and ctr from bookworm (containerd.sh);
#   - whether this machine delivers hardware breakpoints, and if not a criu wrapper that
#     sets CRIU_FAULT=130 (breakpoints.sh);
#   - CRIU 4.2.1 built for bookworm, outside the system's paths (criu-4.2.sh);
#   - crun 1.8.1 built with CRIU from bookworm's source: the buggy runtime LTS hosts ship;
#   - crun 1.21 from trixie's upstream tarball, as released: the fixed runtime;
#   - the same crun 1.21 with the restore cgroup root taken out (PR 1679 reverted): the
#     bug on a runtime that also handles v2 devices;
#   - a busybox-static root filesystem.
# The crun builds live in /var/cache/cgherd-testbed, outside the system's paths, and are
# rebuilt only when the binary is missing or its stamp (version, patch checksum, configure
# flags, libcriu) changed. Quiet on success; on failure it says what failed and shows the
# tail of the build log. Touches $FIXTURES/READY when everything is in place.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
FIXTURES=/var/cache/cgherd-testbed
LOG=

die() {
  echo "test/env/setup.sh: $*" >&2
  if [ -n "$LOG" ] && [ -s "$LOG" ]; then
    echo "--- last lines of $LOG ---" >&2
    tail -n 30 "$LOG" >&2
  fi
  exit 1
}

[ "$(id -u)" = 0 ] || die "must run as root"
mkdir -p "$FIXTURES"
export FIXTURES
sh "$HERE/packages.sh" || die "packages.sh failed"
sh "$HERE/criu.sh" || die "criu.sh failed"
sh "$HERE/podman-packages.sh" || die "podman-packages.sh failed"
sh "$HERE/containerd.sh" || die "containerd.sh failed"
sh "$HERE/breakpoints.sh" || die "breakpoints.sh failed"
sh "$HERE/criu-4.2.sh" || die "criu-4.2.sh failed"
. "$HERE/apt-private.sh"

# --- crun ----------------------------------------------------------------------------

# Checksum of the patch a build applies, so that changing the patch forces a rebuild.
PATCH_NOROOT_SED='s/^\([[:space:]]*\)if (status->cgroup_path)$/\1if (0 \&\& status->cgroup_path)/'

patch_none() { :; }

# Takes back crun PR 1679's restore change: CRIU gets no cgroup root on restore, so in
# soft mode it puts the restored tree back where the image says (the bug).
patch_noroot() {
  file=src/libcrun/criu.c
  [ -f "$file" ] || die "crun source has no $file"
  n=$(grep -c '^[[:space:]]*if (status->cgroup_path)$' "$file" || true)
  [ "$n" = 1 ] || die "patch noroot: expected exactly 1 'if (status->cgroup_path)' in $file, found $n"
  line=$(grep -n '^[[:space:]]*if (status->cgroup_path)$' "$file" | cut -d: -f1)
  sed -n "$line,$((line + 3))p" "$file" | grep -q 'criu_add_cg_root' ||
    die "patch noroot: the 'if (status->cgroup_path)' in $file is not the one before criu_add_cg_root"
  sed -i "$PATCH_NOROOT_SED" "$file"
  [ "$(grep -c 'if (0 && status->cgroup_path)' "$file")" = 1 ] || die "patch noroot did not apply exactly once"
}

# build_crun NAME DEBIAN_VERSION PATCH_FN PATCH_TEXT CONFIGURE_FLAGS
build_crun() {
  name=$1 version=$2 patch_fn=$3 patch_text=$4 flags=$5
  dest=$FIXTURES/$name
  stamp="version=$version patch=$(printf '%s' "$patch_text" | sha256sum | cut -c1-16) configure=$flags criu=$(dpkg-query -W -f '${Version}' libcriu-dev)"
  if [ -x "$dest/crun" ] && [ "$(cat "$dest/stamp" 2>/dev/null)" = "$stamp" ]; then
    return 0
  fi
  echo "test bed: building $name with CRIU (about 20 s)" >&2
  work=$(mktemp -d /tmp/cgt-bed-build.XXXXXX)
  LOG=$work/build.log
  # Only a build needs the source indexes: a cached test bed never asks the mirror.
  apt_private_update >>"$LOG" 2>&1 || die "$name: private apt update (source indexes) failed"
  apt_private_source crun "$version" "$work" "$LOG" || die "$name: cannot fetch crun=$version"
  cd "$work/src"
  "$patch_fn"
  [ -x configure ] || ./autogen.sh >>"$LOG" 2>&1 || die "$name: autogen.sh failed"
  # shellcheck disable=SC2086
  ./configure $flags >>"$LOG" 2>&1 || die "$name: configure failed"
  grep -q '^#define HAVE_CRIU 1' config.h || die "$name: configure did not find CRIU (libcriu-dev missing?)"
  # Only the binary: BUILT_SOURCES first, since a bare `make crun` does not make them.
  make .version git-version.h >>"$LOG" 2>&1 && make -j"$(nproc)" crun >>"$LOG" 2>&1 || die "$name: make failed"
  ./crun --version | grep -q '+CRIU' || die "$name: built crun lacks +CRIU"
  mkdir -p "$dest"
  install -m 755 crun "$dest/crun.new"
  mv "$dest/crun.new" "$dest/crun"
  printf '%s\n' "$stamp" >"$dest/stamp"
  cd /
  rm -rf "$work"
  LOG=
}

build_crun crun-1.8.1 1.8.1-1+deb12u1 patch_none "" "--disable-systemd"
build_crun crun-1.21 1.21-1 patch_none "" "--disable-systemd"
build_crun crun-1.21-noroot 1.21-1 patch_noroot "$PATCH_NOROOT_SED" "--disable-systemd"
sh "$HERE/crun-systemd.sh" || die "crun-systemd.sh failed"

# --- busybox root filesystem -----------------------------------------------------------

ROOTFS=$FIXTURES/rootfs-busybox
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] || die "busybox-static is not installed"
rootfs_stamp="busybox=$(sha256sum "$BUSYBOX" | cut -c1-16) layout=2"
if [ "$(cat "$ROOTFS.stamp" 2>/dev/null)" != "$rootfs_stamp" ] || [ ! -x "$ROOTFS/bin/sh" ]; then
  tmp=$(mktemp -d "$FIXTURES/rootfs.XXXXXX")
  mkdir -p "$tmp/bin" "$tmp/etc" "$tmp/proc" "$tmp/sys" "$tmp/dev" "$tmp/tmp" "$tmp/root" \
    "$tmp/run" "$tmp/var/tmp"
  chmod 1777 "$tmp/tmp" "$tmp/var/tmp"
  chmod 755 "$tmp"
  cp "$BUSYBOX" "$tmp/bin/busybox"
  for applet in $("$BUSYBOX" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$tmp/bin/$applet"
  done
  ln -s bin "$tmp/sbin"
  mkdir -p "$tmp/usr"
  ln -s ../bin "$tmp/usr/bin"
  ln -s ../bin "$tmp/usr/sbin"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$tmp/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$tmp/etc/group"
  printf '127.0.0.1 localhost\n' >"$tmp/etc/hosts"
  : >"$tmp/etc/resolv.conf"
  rm -rf "$ROOTFS"
  mv "$tmp" "$ROOTFS"
  printf '%s\n' "$rootfs_stamp" >"$ROOTFS.stamp"
fi

for bin in "$FIXTURES/crun-1.8.1/crun" "$FIXTURES/crun-1.21/crun" "$FIXTURES/crun-1.21-noroot/crun"; do
  "$bin" --version | grep -q '+CRIU' || die "$bin has no +CRIU"
done
touch "$FIXTURES/READY"
