#!/bin/sh
# CRIU 4.2.1 as a second CRIU for the matrix, next to the system's 4.1.1 (criu.sh). 4.2
# carries criu PR 2660 ("kerndat: check that hardware breakpoints work"): on a machine that
# does not deliver them it finds out by itself, where 4.1.1 hangs in every dump.
#
# Built for bookworm from sid's upstream tarball (checked against the SHA256 in apt's
# index; Debian's patches left out, as for 4.1.1), and NOT installed into the system: the
# binary alone lands in $FIXTURES/criu-4.2.1/criu, a directory a test puts first on PATH
# for crun (libcriu starts `criu swrk` through PATH). Rebuilt only when the stamp
# (source version, recipe, architecture) changes.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
FIXTURES=${FIXTURES:-/var/cache/cgherd-testbed}
. "$HERE/apt-private.sh"

CRIU_SOURCE=4.2.1-1
CRIU_UPSTREAM=4.2.1
RECIPE=1
OUT=$FIXTURES/criu-$CRIU_UPSTREAM
STAMP="source=$CRIU_SOURCE recipe=$RECIPE arch=$(dpkg --print-architecture)"
LOG=

die() {
  echo "test/env/criu-4.2.sh: $*" >&2
  [ -n "$LOG" ] && [ -s "$LOG" ] && { echo "--- last lines of $LOG ---" >&2; tail -n 30 "$LOG" >&2; }
  exit 1
}

[ "$(id -u)" = 0 ] || die "must run as root"
if [ "$(cat "$OUT/stamp" 2>/dev/null)" = "$STAMP" ] && [ -x "$OUT/criu" ]; then
  exit 0
fi

echo 'test bed: building CRIU 4.2.1, the second CRIU of the matrix (about a minute)' >&2
work=$(mktemp -d /tmp/cgt-criu42.XXXXXX)
LOG=$work/build.log
apt_private_update >>"$LOG" 2>&1 || die "private apt update failed"
apt_private_orig criu "$CRIU_SOURCE" "$work" "$LOG" || die "cannot fetch criu=$CRIU_SOURCE's upstream tarball"
cd "$work/src"
make -j"$(nproc)" criu >>"$LOG" 2>&1 || die "make criu failed"
./criu/criu --version | grep -q "^Version: $CRIU_UPSTREAM\$" || die "built criu has the wrong version"
mkdir -p "$OUT"
install -m 755 criu/criu "$OUT/criu.new"
mv "$OUT/criu.new" "$OUT/criu"
printf '%s\n' "$STAMP" >"$OUT/stamp"
cd /
rm -rf "$work"
