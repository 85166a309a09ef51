#!/bin/sh
# Podman 4.3.1, conmon, crun 1.8.1 (Debian's build, without CRIU: the runtime found in the
# standard location, as on a Debian 12 host), runc 1.1.5 and a JDK (the Java daemon
# container runs the host's JVM from a read-only /usr), all from bookworm; uidmap
# (newuidmap/newgidmap) for the rootless Podman tests (test/lib/rootless.ts). Runs after
# criu.sh, so that the local CRIU 4.1.1 packages, not bookworm's 3.17.1, satisfy anything
# that asks for criu.
set -eu
STAMP=/var/lib/cgherd-testbed/podman-packages.v4
[ -e "$STAMP" ] && exit 0
[ "$(id -u)" = 0 ] || { echo "test/env/podman-packages.sh: must run as root" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
echo 'test bed: Podman, conmon, crun, runc, uidmap and a JDK from bookworm (about a minute)' >&2
apt-get install -y -qq podman conmon crun runc uidmap openjdk-17-jdk-headless >/dev/null 2>&1 ||
  { echo "test/env/podman-packages.sh: apt-get install failed" >&2; exit 1; }
for b in podman conmon crun runc javac newuidmap newgidmap; do
  command -v "$b" >/dev/null 2>&1 || { echo "test/env/podman-packages.sh: $b still missing" >&2; exit 1; }
done
touch "$STAMP"
