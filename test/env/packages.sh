#!/bin/sh
# Installs the host packages the suite and the demo need, all from the host's own suites
# (Debian 12 bookworm). Nothing from trixie or sid is ever a candidate here: source
# packages from trixie go through a private apt configuration (apt-private.sh) that the
# system's apt never sees. Idempotent: a second run costs one stamp check.
set -eu

STAMP=/var/lib/cgherd-testbed/packages.v6
export DEBIAN_FRONTEND=noninteractive

# Older test beds (packages.v4 and before) added trixie to the system's apt, pinned low.
# Take those files back: they are ours, and nothing may install from trixie any more.
# Packages they already upgraded are left alone; downgrading libc6 is worse.
for f in /etc/apt/sources.list.d/cgherd-trixie.sources /etc/apt/preferences.d/cgherd-trixie \
  /etc/apt/sources.list.d/cgherd-bookworm-src.sources; do
  [ -e "$f" ] && rm -f "$f" && rm -f "$STAMP"
done

[ -e "$STAMP" ] && exit 0

# What the suite compares against: the machine's packages before the test bed's first run.
mkdir -p /var/lib/cgherd-testbed
[ -e /var/lib/cgherd-testbed/dpkg-before.tsv ] ||
  dpkg-query -W -f '${Package}:${Architecture}\t${Version}\n' >/var/lib/cgherd-testbed/dpkg-before.tsv

echo "test bed: bookworm packages (build tools, CRIU's and crun's build dependencies; about a minute on a fresh machine)" >&2
apt-get update -qq
# Build tools and the build dependencies of CRIU 4.1.1 and crun (criu.sh, setup.sh).
# Podman 4.3.1 with conmon 2.1.6, runc 1.1.5, busybox for the root filesystems, and the
# packaging tools (rpm, lintian) and debootstrap for the Debian 12 roots. All bookworm.
apt-get install -y -qq --no-install-recommends \
  build-essential dpkg-dev fakeroot pkgconf make git xz-utils ca-certificates \
  libbsd-dev libcap-dev libgnutls28-dev libnet1-dev libnftables-dev libnl-3-dev \
  libprotobuf-c-dev libprotobuf-dev protobuf-c-compiler protobuf-compiler uuid-dev python3 \
  automake autoconf libtool gperf libseccomp-dev libsystemd-dev libyajl-dev \
  busybox-static util-linux iproute2 procps rpm lintian debootstrap >/dev/null 2>&1 ||
  { echo "test/env/packages.sh: apt-get install failed" >&2; exit 1; }
touch "$STAMP"
