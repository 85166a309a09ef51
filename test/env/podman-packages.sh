#!/bin/sh
# What the Podman end-to-end tests need beyond test/env/packages.sh: a JDK for the Java
# daemon container (javac compiles test/fixtures/java at test time; the container runs
# the host's JVM from a read-only /usr). Idempotent: nothing happens when javac exists.
set -eu
command -v javac >/dev/null 2>&1 && exit 0
[ "$(id -u)" = 0 ] || { echo "test/env/podman-packages.sh: must run as root" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq openjdk-17-jdk-headless >/dev/null
command -v javac >/dev/null 2>&1 || { echo "test/env/podman-packages.sh: javac still missing" >&2; exit 1; }
