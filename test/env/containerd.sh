#!/bin/sh
# What the containerd end-to-end tests need: Debian 12's containerd 1.6.20 and its `ctr`,
# which pulls in bookworm's runc 1.1.5 (/usr/bin/runc), the control runtime. Bookworm only:
# the engine under test is the one an LTS host runs. Idempotent and quiet: nothing happens
# when both binaries are there; apt's output goes to stderr only on failure.
#
# The package ships a systemd unit only, and PID 1 here is not systemd, so no host daemon
# starts; the tests run a private one (test/lib/containerd/containerd.ts). If a host daemon does run,
# the tests never touch it: they use their own socket, root and state directories.
set -eu

have() { [ -x /usr/bin/containerd ] && [ -x /usr/bin/ctr ] && [ -x /usr/bin/runc ]; }
have && exit 0
[ "$(id -u)" = 0 ] || { echo "test/env/containerd.sh: must run as root" >&2; exit 1; }

LOG=$(mktemp /tmp/cgherd-containerd-apt.XXXXXX)
trap 'rm -f "$LOG"' EXIT
export DEBIAN_FRONTEND=noninteractive
# Another set-up step may hold the dpkg lock: wait for it rather than fail.
echo 'test bed: containerd and ctr from bookworm' >&2
APT="apt-get -o DPkg::Lock::Timeout=600 -y -q"
if ! { $APT install --no-install-recommends containerd runc >"$LOG" 2>&1 ||
  { $APT update >>"$LOG" 2>&1 && $APT install --no-install-recommends containerd runc >>"$LOG" 2>&1; }; }; then
  echo "test/env/containerd.sh: apt-get install containerd runc failed:" >&2
  tail -n 20 "$LOG" >&2
  exit 1
fi
have || { echo "test/env/containerd.sh: containerd, ctr or runc still missing after apt-get" >&2; exit 1; }
case $(/usr/bin/containerd --version) in
*" 1.6."*) ;;
*) echo "test/env/containerd.sh: expected containerd 1.6 (bookworm), got: $(/usr/bin/containerd --version)" >&2; exit 1 ;;
esac
