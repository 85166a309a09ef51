#!/bin/sh
# A Debian 12 root with the test bed and Debian's own nodejs 18 inside, for running the
# suite with the Node a Debian 12 user has (bin/cgherd takes /usr/bin/node first; inside
# this root that is bookworm's nodejs 18.20.4, not the host's Node 20).
#
#   sh test/env/deb12-testbed.sh prepare          make the cached root if it is missing
#   sh test/env/deb12-testbed.sh run REPO CMD...  a fresh copy of the cached root, REPO
#                                                 bound at the same path inside, CMD run
#                                                 there from REPO; the copy is removed after
#
# The prepared root is a tarball under /var/cache/cgherd-testbed, keyed by the test bed's
# scripts and this recipe, so a change to the set-up makes a new one. Preparing it costs a
# deb12-root.sh root, the test bed's set-up inside it (the fixture builds are copied in
# from the host's cache first, so only their stamps are checked) and `apt-get install
# nodejs`: a few minutes, once. A run unpacks it: seconds.
set -eu

FIXTURES=${FIXTURES:-/var/cache/cgherd-testbed}
HERE=$(cd "$(dirname "$0")" && pwd)
RECIPE=1

die() { echo "test/env/deb12-testbed.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"

key() {
  (
    cd "$HERE"
    echo "recipe=$RECIPE"
    cat setup.sh packages.sh criu.sh podman-packages.sh apt-private.sh deb12-root.sh deb12-testbed.sh \
      breakpoints.sh criu-4.2.sh
  ) | sha256sum | cut -c1-16
}

TARBALL=$FIXTURES/deb12-testbed-node18-$(key).tar

prepare() {
  [ -s "$TARBALL" ] && return 0
  mkdir -p "$FIXTURES"
  # One preparer at a time; a second waits and then finds the tarball.
  exec 9>"$FIXTURES/.deb12-testbed.lock"
  flock 9
  [ -s "$TARBALL" ] && return 0
  echo 'test bed: preparing the Debian 12 root with its nodejs 18 for the Node 18 group (about 3 min, once per change of the set-up)' >&2
  work=$(mktemp -d /var/tmp/cgt-deb12tb.XXXXXX)
  root=$work/root
  log=$work/log
  sh "$HERE/deb12-root.sh" make "$root"
  mkdir -p "$root/opt/cgherd-env" "$root$FIXTURES"
  cp "$HERE"/*.sh "$root/opt/cgherd-env/"
  # The fixture builds are built for bookworm against the same libraries as inside, and
  # keyed by stamps that setup.sh checks: copied, they are reused instead of rebuilt.
  for f in "$FIXTURES"/criu-* "$FIXTURES"/crun-* "$FIXTURES"/rootfs-busybox "$FIXTURES"/rootfs-busybox.stamp \
    "$FIXTURES"/apt-sources; do
    [ -e "$f" ] && cp -a "$f" "$root$FIXTURES/"
  done
  # Whether breakpoints are delivered is a fact about the machine that runs the root, not
  # the one that made it: the set-up inside records no verdict and installs no wrapper
  # (forced `delivered`, its verdict file removed); `run` applies the host's.
  sh "$HERE/deb12-root.sh" run "$root" sh -c '
    set -e
    CGHERD_TESTBED_BREAKPOINTS=delivered sh /opt/cgherd-env/setup.sh
    rm -f '"$FIXTURES"'/breakpoints
    apt-get install -y -qq --no-install-recommends nodejs >/dev/null
    apt-get clean
    rm -rf /opt/cgherd-env /var/lib/apt/lists/*_Packages /var/lib/apt/lists/*_Translation-*
    node --version' >"$log" 2>&1 || { tail -n 30 "$log" >&2; rm -rf "$work"; die "preparing the root failed"; }
  version=$(tail -n 1 "$log")
  case $version in v18.*) ;; *) rm -rf "$work"; die "node inside the root is $version, not Debian's 18" ;; esac
  tar -C "$root" -cf "$TARBALL.new" . && mv "$TARBALL.new" "$TARBALL"
  rm -rf "$work"
  # Older keys are dead weight, but the newest other one stays: branches of the same
  # machine that differ in the set-up would otherwise rebuild each other's root in turn.
  # shellcheck disable=SC2012
  ls -t "$FIXTURES"/deb12-testbed-node18-*.tar | tail -n +3 | while IFS= read -r old; do
    rm -f "$old"
  done
}

run() {
  repo=$(cd "$1" && pwd)
  shift
  prepare
  work=$(mktemp -d /var/tmp/cgt-deb12tb.XXXXXX)
  root=$work/root
  mkdir -p "$root"
  tar -C "$root" -xf "$TARBALL"
  cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  # This machine's breakpoint verdict, and the criu wrapper if it needs one.
  sh "$HERE/breakpoints.sh" --root "$root" || { rm -rf "$work"; die "breakpoints.sh --root failed"; }
  mkdir -p "$root$repo"
  status=0
  # deb12-root.sh binds the root recursively, so the repository bound inside it here
  # comes along; the outer namespace keeps that bind off the host.
  unshare -m --propagation private sh -c '
    root=$1 repo=$2; shift 2
    mount --bind "$repo" "$root$repo" || exit 125
    exec sh "$0" run "$root" sh -c "cd \"\$0\" && exec \"\$@\"" "$repo" "$@"' \
    "$HERE/deb12-root.sh" "$root" "$repo" "$@" || status=$?
  rm -rf "$work"
  return "$status"
}

case ${1:-} in
  prepare) [ $# = 1 ] || die "usage: prepare"; prepare ;;
  run) [ $# -ge 3 ] || die "usage: run REPO CMD..."; shift; run "$@" ;;
  *) die "usage: deb12-testbed.sh prepare | run REPO CMD..." ;;
esac
