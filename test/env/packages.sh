#!/bin/sh
# Installs the host packages the suite and the demo need. Idempotent: a second run
# costs one dpkg query. Trixie is added pinned low so that it is only used when asked
# for by name (-t trixie); unpinned it would upgrade the whole machine.
set -eu

STAMP=/var/lib/cgherd-testbed/packages.v4
[ -e "$STAMP" ] && exit 0

export DEBIAN_FRONTEND=noninteractive
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
MIRROR=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
: "${MIRROR:=http://deb.debian.org/debian}"

cat > /etc/apt/sources.list.d/cgherd-trixie.sources <<SRC
Types: deb deb-src
URIs: $MIRROR
Suites: trixie
Components: main
Signed-By: $KEYRING
SRC
cat > /etc/apt/sources.list.d/cgherd-bookworm-src.sources <<SRC
Types: deb-src
URIs: $MIRROR
Suites: bookworm
Components: main
Signed-By: $KEYRING
SRC
cat > /etc/apt/preferences.d/cgherd-trixie <<PIN
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN

apt-get update -qq
# CRIU 4.1.1, crun 1.21 and runc from trixie; libcriu2 is only a Recommends of crun.
# crun's build dependencies come from trixie too: the trixie crun already pulled trixie's
# runtime libraries (libyajl2, libsystemd0, ...) and bookworm's -dev packages pin the old ones.
apt-get install -y -qq -t trixie criu crun runc libcriu2 libcriu-dev \
  golang-github-opencontainers-specs-dev \
  automake autoconf libtool gperf libcap-dev libseccomp-dev libsystemd-dev \
  libyajl-dev pkgconf libprotobuf-c-dev >/dev/null
# Podman 4.3.1 (bookworm) with its helpers, the rootfs, and packaging tools.
# build-essential and dpkg-dev: setup.sh builds the crun fixtures from `apt-get source`.
apt-get install -y -qq podman conmon busybox-static build-essential dpkg-dev python3 git rpm \
  fakeroot util-linux iproute2 procps xz-utils >/dev/null
mkdir -p "$(dirname "$STAMP")"
touch "$STAMP"
