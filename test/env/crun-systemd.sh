#!/bin/sh
# The crun fixtures for the systemd host (systemd-host.sh): the same three crun builds as
# setup.sh, but built WITH systemd (crun's default when libsystemd-dev is there), so that
# they understand Podman's default `--systemd-cgroup` and `machine.slice:libpod:<id>`:
#   crun-1.8.1-systemd         bookworm's source; its RLIMIT_MEMLOCK raise made non-fatal
#                              (upstream crun PR 1391): root here lacks CAP_SYS_RESOURCE,
#                              and the raise is fatal for every container with device rules;
#   crun-1.21-systemd          trixie's upstream tarball, as released (the fixed runtime);
#   crun-1.21-noroot-systemd   the same with PR 1679's restore cgroup root taken back.
# Each lands in /var/cache/cgherd-testbed/<name>/crun and is rebuilt only when its stamp
# (version, patch checksum, configure flags, libcriu, libsystemd) changes.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
FIXTURES=${FIXTURES:-/var/cache/cgherd-testbed}
LOG=

die() {
  echo "test/env/crun-systemd.sh: $*" >&2
  if [ -n "$LOG" ] && [ -s "$LOG" ]; then
    echo "--- last lines of $LOG ---" >&2
    tail -n 30 "$LOG" >&2
  fi
  exit 1
}

[ "$(id -u)" = 0 ] || die "must run as root"
for p in libcriu-dev libsystemd-dev; do
  dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || die "$p is not installed (run test/env/setup.sh)"
done
. "$HERE/apt-private.sh"

PATCH_MEMLOCK_SED='s/^\([[:space:]]*\)return crun_make_error (err, errno, "setrlimit (RLIM_MEMLOCK)");$/\1{ \/* crun PR 1391: not fatal; the kernel may not need it *\/ }/'
PATCH_NOROOT_SED='s/^\([[:space:]]*\)if (status->cgroup_path)$/\1if (0 \&\& status->cgroup_path)/'

patch_none() { :; }

# crun PR 1391: a failed RLIMIT_MEMLOCK raise before loading the eBPF device program is
# not an error (kernels >= 5.11 charge BPF memory to the cgroup, not to the rlimit).
patch_memlock() {
  file=src/libcrun/ebpf.c
  [ "$(grep -c 'return crun_make_error (err, errno, "setrlimit (RLIM_MEMLOCK)");' "$file")" = 1 ] ||
    die "patch memlock: expected exactly 1 setrlimit error in $file"
  sed -i "$PATCH_MEMLOCK_SED" "$file"
  [ "$(grep -c 'crun PR 1391' "$file")" = 1 ] || die "patch memlock did not apply exactly once"
}

# crun PR 1679's restore change taken back (as patch_noroot in setup.sh).
patch_noroot() {
  file=src/libcrun/criu.c
  [ "$(grep -c '^[[:space:]]*if (status->cgroup_path)$' "$file")" = 1 ] ||
    die "patch noroot: expected exactly 1 'if (status->cgroup_path)' in $file"
  sed -i "$PATCH_NOROOT_SED" "$file"
  [ "$(grep -c 'if (0 && status->cgroup_path)' "$file")" = 1 ] || die "patch noroot did not apply exactly once"
}

# build NAME DEBIAN_VERSION PATCH_FN PATCH_TEXT
build() {
  name=$1 version=$2 patch_fn=$3 patch_text=$4
  dest=$FIXTURES/$name
  flags=
  stamp="version=$version patch=$(printf '%s' "$patch_text" | sha256sum | cut -c1-16) configure=$flags systemd=yes criu=$(dpkg-query -W -f '${Version}' libcriu-dev) libsystemd=$(dpkg-query -W -f '${Version}' libsystemd-dev)"
  if [ -x "$dest/crun" ] && [ "$(cat "$dest/stamp" 2>/dev/null)" = "$stamp" ]; then
    return 0
  fi
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
  grep -q '^#define HAVE_SYSTEMD 1' config.h || die "$name: configure did not find systemd (libsystemd-dev missing?)"
  # libocispec first: its headers are generated, and crun 1.21's objects raced them under -j.
  make .version git-version.h >>"$LOG" 2>&1 && make -C libocispec >>"$LOG" 2>&1 &&
    make -j"$(nproc)" crun >>"$LOG" 2>&1 || die "$name: make failed"
  v=$(./crun --version)
  case $v in *+CRIU*) ;; *) die "$name: built crun lacks +CRIU" ;; esac
  case $v in *+SYSTEMD*) ;; *) die "$name: built crun lacks +SYSTEMD" ;; esac
  mkdir -p "$dest"
  install -m 755 crun "$dest/crun.new"
  mv "$dest/crun.new" "$dest/crun"
  printf '%s\n' "$stamp" >"$dest/stamp"
  cd /
  rm -rf "$work"
  LOG=
}

build crun-1.8.1-systemd 1.8.1-1+deb12u1 patch_memlock "$PATCH_MEMLOCK_SED"
build crun-1.21-systemd 1.21-1 patch_none ""
build crun-1.21-noroot-systemd 1.21-1 patch_noroot "$PATCH_NOROOT_SED"
