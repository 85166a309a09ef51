#!/bin/sh
# Prepares a fresh Debian 12 machine for the integration and e2e suites (root only):
#   - host packages (packages.sh, stamped);
#   - crun 1.8.1 built with CRIU from bookworm's source: the buggy runtime LTS hosts ship;
#   - crun 1.21 from trixie's source with the restore cgroup root taken out (PR 1679
#     reverted): the same bug on a runtime that also handles v2 devices;
#   - a busybox-static root filesystem.
# Everything lands in /var/cache/cgherd-testbed and is rebuilt only when the binary is
# missing or its stamp (version, patch checksum, configure flags) changed.
# Quiet on success; on failure it says what failed and shows the tail of the build log.
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
sh "$HERE/packages.sh" || die "packages.sh failed"
# The JDK for the Podman Java scenarios, kept in its own script by the e2e suite.
if [ -f "$HERE/podman-packages.sh" ]; then
  sh "$HERE/podman-packages.sh" || die "podman-packages.sh failed"
fi
command -v criu >/dev/null || die "criu is not installed (packages.sh should have installed it)"
mkdir -p "$FIXTURES"

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

# fetch_source SRCPKG VERSION DIR: unpacks the Debian source into DIR/src.
# Some mirrors serve the upstream tarball of a suite that is not the host's but not its
# .dsc or .debian.tar.xz (seen for trixie's crun 1.21-1). Then the upstream tarball alone
# is fetched by apt's own helper, which checks it against the SHA256 in apt's index.
fetch_source() {
  pkg=$1 version=$2 dir=$3
  upstream=${version%-*}
  (cd "$dir" && apt-get source -qq "$pkg=$version") >>"$LOG" 2>&1 && {
    mv "$dir/$pkg-$upstream" "$dir/src"
    return 0
  }
  line=$(apt-get source --print-uris -qq "$pkg=$version" 2>>"$LOG" |
    grep "'[^']*/${pkg}_$upstream\.orig\.tar\.[a-z0-9]*' " | head -n1 || true)
  [ -n "$line" ] || die "apt-get source $pkg=$version failed and apt knows no upstream tarball for it"
  set -- $line
  uri=$(echo "$1" | tr -d "'") file=$2 hash=$4
  case $hash in SHA256:*) ;; *) die "no SHA256 for $file in apt's index ($line)" ;; esac
  rm -f "$dir/$file"
  /usr/lib/apt/apt-helper download-file "$uri" "$dir/$file" "$hash" >>"$LOG" 2>&1 ||
    die "cannot download $uri (or its checksum does not match apt's index)"
  echo "note: $pkg=$version: Debian packaging not on the mirror, building the checked upstream tarball" >>"$LOG"
  mkdir "$dir/src"
  tar -xf "$dir/$file" -C "$dir/src" --strip-components=1
}

# build_crun NAME DEBIAN_VERSION PATCH_FN PATCH_TEXT CONFIGURE_FLAGS
build_crun() {
  name=$1 version=$2 patch_fn=$3 patch_text=$4 flags=$5
  dest=$FIXTURES/$name
  stamp="version=$version patch=$(printf '%s' "$patch_text" | sha256sum | cut -c1-16) configure=$flags"
  if [ -x "$dest/crun" ] && [ "$(cat "$dest/stamp" 2>/dev/null)" = "$stamp" ]; then
    return 0
  fi
  work=$(mktemp -d /tmp/cgt-bed-build.XXXXXX)
  LOG=$work/build.log
  fetch_source crun "$version" "$work"
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
build_crun crun-1.21-noroot 1.21-1 patch_noroot "$PATCH_NOROOT_SED" "--disable-systemd"

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

for bin in "$FIXTURES/crun-1.8.1/crun" "$FIXTURES/crun-1.21-noroot/crun" /usr/bin/crun; do
  "$bin" --version | grep -q '+CRIU' || die "$bin has no +CRIU"
done
