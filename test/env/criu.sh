#!/bin/sh
# CRIU 4.x for Debian 12. Bookworm's CRIU 3.17.1 fails `criu check` on current kernels
# (vdso: Unexpected rt vDSO area bounds), and installing trixie's binary package would
# upgrade libc6 and much else. So trixie's upstream tarball (checked against apt's index)
# is built here against bookworm's libraries and packaged as three local .debs, named and
# split as Debian does (criu, libcriu2, libcriu-dev), with a version below trixie's:
# `4.1.1-0~bookworm1+cgherd`. apt installs them with their dependencies from bookworm.
# The .debs are cached under $FIXTURES/criu-<version>, keyed by version and recipe.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
FIXTURES=${FIXTURES:-/var/cache/cgherd-testbed}
. "$HERE/apt-private.sh"

CRIU_SOURCE=4.1.1-1
CRIU_UPSTREAM=4.1.1
CRIU_DEB_VERSION=$CRIU_UPSTREAM-0~bookworm1+cgherd
RECIPE=2
ARCH=$(dpkg --print-architecture)
MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
OUT=$FIXTURES/criu-$CRIU_DEB_VERSION
STAMP="source=$CRIU_SOURCE recipe=$RECIPE arch=$ARCH"
LOG=

die() {
  echo "test/env/criu.sh: $*" >&2
  [ -n "$LOG" ] && [ -s "$LOG" ] && { echo "--- last lines of $LOG ---" >&2; tail -n 30 "$LOG" >&2; }
  exit 1
}

# make_deb NAME STAGE DESCRIPTION [EXTRA-DEPENDS]: $OUT/NAME.deb from the tree in STAGE,
# with shared-library dependencies worked out by dpkg-shlibdeps, as Debian's packages do.
make_deb() {
  name=$1 stage=$2 description=$3 extra=${4:-}
  elves=$(find "$stage" -type f \( -perm -u+x -o -name '*.so*' \) -exec sh -c \
    'head -c4 "$1" | grep -q ELF && echo "$1"' x {} \;)
  depends=$extra
  if [ -n "$elves" ]; then
    mkdir -p "$stage/../shl/debian"
    printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$name" "$name" >"$stage/../shl/debian/control"
    # shellcheck disable=SC2086
    shl=$(cd "$stage/../shl" && LD_LIBRARY_PATH="$libstage" dpkg-shlibdeps -O $elves 2>>"$LOG" |
      sed -n 's/^shlibs:Depends=//p')
    depends=${depends:+$depends, }$shl
  fi
  mkdir -p "$stage/DEBIAN"
  size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
  {
    echo "Package: $name"
    echo "Version: $CRIU_DEB_VERSION"
    echo "Architecture: $ARCH"
    echo "Maintainer: cgherd test bed <root@localhost>"
    echo "Installed-Size: $size"
    [ -n "$depends" ] && echo "Depends: $depends"
    echo "Section: admin"
    echo "Priority: optional"
    echo "Homepage: https://criu.org"
    echo "Description: $description"
    echo " Built for Debian 12 from trixie's upstream tarball by cgherd's test bed (test/env/criu.sh)."
  } >"$stage/DEBIAN/control"
  dpkg-deb --root-owner-group -Zxz --build "$stage" "$OUT/$name.deb.new" >>"$LOG" 2>&1 || die "dpkg-deb $name failed"
  mv "$OUT/$name.deb.new" "$OUT/$name.deb"
}

build() {
  work=$(mktemp -d /tmp/cgt-criu.XXXXXX)
  LOG=$work/build.log
  apt_private_update >>"$LOG" 2>&1 || die "private apt update failed"
  apt_private_source criu "$CRIU_SOURCE" "$work" "$LOG" || die "cannot fetch criu=$CRIU_SOURCE"
  cd "$work/src"
  make -j"$(nproc)" criu lib >>"$LOG" 2>&1 || die "make criu lib failed"
  ./criu/criu --version | grep -q "^Version: $CRIU_UPSTREAM" || die "built criu has the wrong version"
  all=$work/all
  make install-criu install-lib DESTDIR="$all" PREFIX=/usr LIBDIR="/usr/lib/$MULTIARCH" \
    SKIP_PIP_INSTALL=1 >>"$LOG" 2>&1 || die "make install failed"
  libstage=$all/usr/lib/$MULTIARCH
  rm -rf "$OUT" && mkdir -p "$OUT"

  s=$work/pkg-criu/root
  mkdir -p "$s/usr/sbin" "$s/usr/libexec"
  cp -a "$all/usr/sbin/criu" "$s/usr/sbin/"
  cp -a "$all/usr/libexec/criu" "$s/usr/libexec/"
  make_deb criu "$s" "checkpoint and restore in userspace (Debian 12 build of $CRIU_UPSTREAM)"

  s=$work/pkg-libcriu2/root
  mkdir -p "$s/usr/lib/$MULTIARCH"
  cp -a "$libstage"/libcriu.so.2* "$s/usr/lib/$MULTIARCH/"
  make_deb libcriu2 "$s" "CRIU RPC library (Debian 12 build of $CRIU_UPSTREAM)" "criu (= $CRIU_DEB_VERSION)"

  s=$work/pkg-libcriu-dev/root
  mkdir -p "$s/usr/lib/$MULTIARCH" "$s/usr/include"
  cp -a "$libstage/libcriu.so" "$libstage/libcriu.a" "$libstage/pkgconfig" "$s/usr/lib/$MULTIARCH/"
  cp -a "$all/usr/include/criu" "$s/usr/include/"
  make_deb libcriu-dev "$s" "CRIU RPC library, development files (Debian 12 build of $CRIU_UPSTREAM)" \
    "libcriu2 (= $CRIU_DEB_VERSION)"

  printf '%s\n' "$STAMP" >"$OUT/stamp"
  cd /
  rm -rf "$work"
  LOG=
}

[ "$(id -u)" = 0 ] || die "must run as root"
if [ "$(cat "$OUT/stamp" 2>/dev/null)" != "$STAMP" ] || [ ! -s "$OUT/libcriu-dev.deb" ]; then
  echo "test bed: building CRIU $CRIU_UPSTREAM for Debian 12 from its upstream tarball (about 30 s)" >&2
  build
fi

# Install unless an equal or newer CRIU is already there (a machine changed by an older
# test bed has trixie's 4.1.1-1: it is not downgraded).
need=no
for p in criu libcriu2 libcriu-dev; do
  v=$(dpkg-query -W -f '${db:Status-Abbrev}${Version}' "$p" 2>/dev/null || true)
  case $v in
    ii*) dpkg --compare-versions "${v#ii }" ge "$CRIU_DEB_VERSION" || need=yes ;;
    *) need=yes ;;
  esac
done
if [ "$need" = yes ]; then
  LOG=$(mktemp /tmp/cgt-criu-install.XXXXXX)
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "$OUT/criu.deb" "$OUT/libcriu2.deb" "$OUT/libcriu-dev.deb" >>"$LOG" 2>&1 ||
    die "apt-get install of the local CRIU packages failed"
  rm -f "$LOG"
  LOG=
fi
criu check >/dev/null 2>&1 || die "criu check fails: $(criu check 2>&1 | tail -n 3)"
