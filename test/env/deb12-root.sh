#!/bin/sh
# A pristine Debian 12 root of our own, for what must be proven on a system that has
# nothing but Debian 12: the test bed's set-up (`make testbed` inside it installs only
# bookworm packages and local builds) and the package's install and purge.
#
#   sh test/env/deb12-root.sh make DIR        debootstrap --variant=minbase bookworm DIR,
#                                             from a cached tarball when there is one
#   sh test/env/deb12-root.sh run DIR CMD...  run CMD inside DIR, with /proc, /sys and
#                                             /dev bound, in a private mount namespace
#
# The pristine tarball is cached under /var/cache/cgherd-testbed, keyed by debootstrap's
# version, so a second `make` costs an untar; apt inside updates its own indexes.
set -eu

FIXTURES=${FIXTURES:-/var/cache/cgherd-testbed}
HERE=$(cd "$(dirname "$0")" && pwd)

die() { echo "test/env/deb12-root.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"

make_root() {
  dir=$1
  [ -e "$dir" ] && die "$dir exists; remove it first"
  command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null 2>&1 ||
    die "cannot install debootstrap"
  . "$HERE/apt-private.sh"
  mirror=$(apt_private_mirror)
  key="$(debootstrap --version | tr -c 'a-zA-Z0-9.+~\n' _)"
  tarball=$FIXTURES/deb12-minbase-$key.tar
  if [ ! -s "$tarball" ]; then
    echo "test bed: debootstrap of a pristine Debian 12 root (about a minute, once)" >&2
    work=$(mktemp -d /var/tmp/cgt-deb12.XXXXXX)
    debootstrap --variant=minbase bookworm "$work/root" "$mirror" >"$work/log" 2>&1 ||
      { tail -n 20 "$work/log" >&2; die "debootstrap failed"; }
    tar -C "$work/root" -cf "$tarball.new" . && mv "$tarball.new" "$tarball"
    rm -rf "$work"
  fi
  mkdir -p "$dir"
  tar -C "$dir" -xf "$tarball"
  # The host's resolver, so that apt inside reaches the same mirror.
  cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
}

run_in() {
  dir=$1
  shift
  [ -x "$dir/bin/sh" ] || die "$dir is not a root file system"
  # pivot_root, not chroot: CRIU builds its mount tree from /proc/self/mountinfo and
  # fails on mounts whose parents lie outside the root ("No parent found for mountpoint").
  # PATH is Debian's for root (login.defs ENV_SUPATH): /usr/local/sbin first, where the
  # test bed's criu wrapper goes on a machine without hardware breakpoints.
  exec unshare -m --propagation private sh -c '
    dir=$1; shift
    mount --rbind "$dir" "$dir" && mount --rbind /proc "$dir/proc" && mount --rbind /sys "$dir/sys" &&
      mount --rbind /dev "$dir/dev" && mount -t tmpfs tmpfs "$dir/run" && mkdir -p "$dir/.oldroot" ||
      { echo "deb12-root.sh: mounts failed" >&2; exit 125; }
    cd "$dir" && pivot_root . .oldroot || { echo "deb12-root.sh: pivot_root failed" >&2; exit 125; }
    exec /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb \
      DEBIAN_FRONTEND=noninteractive /bin/sh -c '"'"'umount -l /.oldroot && rmdir /.oldroot && mkdir -p /run/lock && cd / && exec "$@"'"'"' x "$@"' x "$dir" "$@"
}

case ${1:-} in
  make) [ $# = 2 ] || die "usage: make DIR"; make_root "$2" ;;
  run) [ $# -ge 3 ] || die "usage: run DIR CMD..."; shift; run_in "$@" ;;
  *) die "usage: deb12-root.sh make DIR | run DIR CMD..." ;;
esac
