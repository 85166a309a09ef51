#!/bin/sh
# Does this machine deliver hardware breakpoints? Some VMs of the kind CI runs on do not,
# and there CRIU 4.1.1 hangs forever in every dump: it sets DR0/DR7 and waits for a trap
# that never comes (facts.md, "Added after the second release"). CRIU_FAULT=130 in CRIU's
# environment makes it single-step instead.
#
#   sh test/env/breakpoints.sh [--wrapper PATH] [--verdict FILE] [--criu PATH]
#   sh test/env/breakpoints.sh [...] --root DIR
#
# Probe: dump a throwaway `setsid sleep` with --shell-job under a short timeout; if that
# hangs, dump another with CRIU_FAULT=130. Verdict: `delivered` (the first passed),
# `missing` (the first hung, the second passed), else a hard failure with the log tails.
# It is recorded in $FIXTURES/breakpoints (--verdict) with the boot id and the CRIU version,
# and probed again when either changes: a machine is kept between sessions but may reboot.
# CGHERD_TESTBED_BREAKPOINTS=delivered|missing forces the verdict instead (tests, debugging);
# a forced verdict is never reused by an unforced run.
#
# Then, so that every CRIU call of the suite takes the no-breakpoint path on such a machine:
# `missing` installs a sh wrapper at /usr/local/sbin/criu (--wrapper), which precedes
# /usr/sbin in the suite's PATHs; libcriu starts `criu swrk` through PATH, so crun, conmon
# and containerd's shim reach it too. It sets CRIU_FAULT=130 unless the caller set
# CRIU_FAULT, and execs the real CRIU (--criu), so the running process is still `criu`.
# `delivered` removes a wrapper of ours left by an earlier run, and never touches another
# file in its place.
#
# --root DIR first does all of the above for the host (--wrapper, --verdict and --criu are
# the host's), then applies the host's verdict to a Debian 12 root: the verdict file goes
# to DIR$FIXTURES/breakpoints and the wrapper, if needed, to DIR/usr/local/sbin/criu. The
# root's tarball must not carry a verdict: the machine that unpacks it may be of the other
# kind.
set -eu

FIXTURES=${FIXTURES:-/var/cache/cgherd-testbed}
VERDICT=$FIXTURES/breakpoints
WRAPPER=/usr/local/sbin/criu
CRIU=/usr/sbin/criu
ROOT=
TIMEOUT=${CGHERD_TESTBED_PROBE_TIMEOUT:-10}
MARK='# cgherd-testbed criu wrapper (test/env/breakpoints.sh)'
SELF=$0

die() { echo "test/env/breakpoints.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case $1 in
    --wrapper | --verdict | --criu | --root)
      [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value"
      case $1 in
        --wrapper) WRAPPER=$2 ;;
        --verdict) VERDICT=$2 ;;
        --criu) CRIU=$2 ;;
        --root) ROOT=$2 ;;
      esac
      shift 2
      ;;
    *) die "unknown argument $1 (usage: [--wrapper PATH] [--verdict FILE] [--criu PATH] | --root DIR)" ;;
  esac
done
[ "$(id -u)" = 0 ] || die "must run as root"

# field NAME FILE: the value of NAME=... in a verdict file.
field() { sed -n "s/^$1=//p" "$2" 2>/dev/null | head -n1; }

ours() { [ -f "$1" ] && [ "$(sed -n 2p "$1")" = "$MARK" ]; }

# install_wrapper PATH REAL
install_wrapper() {
  want="#!/bin/sh
$MARK
# This machine does not deliver hardware breakpoints, and CRIU before 4.2 hangs in every
# dump there. CRIU_FAULT=130 makes it single-step to rt_sigreturn instead. exec keeps the
# process's name criu.
CRIU_FAULT=\${CRIU_FAULT:-130}
export CRIU_FAULT
exec '$2' \"\$@\""
  if [ -e "$1" ] && ! ours "$1"; then
    die "$1 exists and is not the test bed's wrapper: move it away, or force CGHERD_TESTBED_BREAKPOINTS=delivered"
  fi
  if [ "$(cat "$1" 2>/dev/null)" = "$want" ] && [ -x "$1" ]; then
    return 0
  fi
  mkdir -p "$(dirname "$1")"
  printf '%s\n' "$want" >"$1.new"
  chmod 755 "$1.new"
  mv "$1.new" "$1"
}

remove_wrapper() {
  if ours "$1"; then
    rm -f "$1"
  elif [ -e "$1" ]; then
    echo "test/env/breakpoints.sh: note: $1 is not the test bed's; it is left alone, and it shadows $CRIU" >&2
  fi
}

if [ -n "$ROOT" ]; then
  [ -x "$ROOT/bin/sh" ] || die "$ROOT is not a root file system"
  sh "$SELF" --criu "$CRIU" --verdict "$VERDICT" --wrapper "$WRAPPER"
  mkdir -p "$ROOT$FIXTURES"
  cp "$VERDICT" "$ROOT$FIXTURES/breakpoints"
  case $(field verdict "$VERDICT") in
    missing) install_wrapper "$ROOT/usr/local/sbin/criu" /usr/sbin/criu ;;
    *) remove_wrapper "$ROOT/usr/local/sbin/criu" ;;
  esac
  exit 0
fi

[ -x "$CRIU" ] || die "no CRIU at $CRIU"
boot_id=$(cat /proc/sys/kernel/random/boot_id)
criu_version=$("$CRIU" --version | sed -n 's/^Version: //p')
[ -n "$criu_version" ] || die "$CRIU --version names no version"

# probe FAULT: dumps a throwaway sleep, with CRIU_FAULT=FAULT unless FAULT is empty.
# Returns 0 (passed), 1 (failed) or 2 (timed out); the dump log's tail goes to $dir.tail.
probe() {
  dir=$(mktemp -d /tmp/cgt-breakpoints.XXXXXX) || die "mktemp failed"
  # $! is the sleep itself: perl execs, and setsid does not fork when its caller leads no
  # process group (a background job of a non-interactive sh does not). Descriptors above 2
  # are closed first, by perl-base (Essential; dash cannot name fds above 9): one inherited
  # from `flock` carries a file lock, which CRIU refuses to dump ("Some file locks are hold
  # by dumping tasks").
  (cd / && exec perl -e "$CLOSE_FDS" setsid sleep 600 </dev/null >/dev/null 2>&1) &
  pid=$!
  i=0
  while [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != sleep ]; do
    i=$((i + 1))
    [ "$i" -lt 500 ] || { kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"; die "the throwaway sleep never started"; }
    sleep 0.01
  done
  rc=0
  if [ -n "$1" ]; then
    CRIU_FAULT=$1 timeout -s KILL "$TIMEOUT" "$CRIU" dump -t "$pid" -D "$dir" -o dump.log -v4 --shell-job \
      >/dev/null 2>&1 || rc=$?
  else
    env -u CRIU_FAULT timeout -s KILL "$TIMEOUT" "$CRIU" dump -t "$pid" -D "$dir" -o dump.log -v4 --shell-job \
      >/dev/null 2>&1 || rc=$?
  fi
  # A passed dump has killed it; a killed CRIU may leave it stopped or half-infected.
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  tail -n 15 "$dir/dump.log" >"$dir.tail" 2>/dev/null || true
  rm -rf "$dir"
  case $rc in
    0) return 0 ;;
    124 | 137) return 2 ;;
    *) return 1 ;;
  esac
}

# The tail of the last probe's log, on stderr, and its file removed.
tail_of() {
  echo "--- $1: last lines of dump.log ---" >&2
  cat "$dir.tail" >&2
  rm -f "$dir.tail"
}

now() { date +%s.%N; }

CLOSE_FDS='use POSIX (); opendir(my $d, "/proc/self/fd") or die "opendir: $!";
my @fds = grep { /^\d+$/ && $_ > 2 } readdir $d; closedir $d; POSIX::close($_) for @fds;
exec @ARGV or die "exec $ARGV[0]: $!";'

forced=${CGHERD_TESTBED_BREAKPOINTS:-}
case $forced in
  '') ;;
  delivered | missing) ;;
  *) die "CGHERD_TESTBED_BREAKPOINTS=$forced: expected delivered or missing" ;;
esac

if [ -n "$forced" ]; then
  verdict=$forced source=forced seconds=
elif [ "$(field source "$VERDICT")" = probed ] && [ "$(field boot_id "$VERDICT")" = "$boot_id" ] &&
  [ "$(field criu "$VERDICT")" = "$criu_version" ] && [ "$(field criu_path "$VERDICT")" = "$CRIU" ]; then
  verdict=$(field verdict "$VERDICT") source=reused
  case $verdict in delivered | missing) ;; *) die "$VERDICT has verdict '$verdict'; remove the file" ;; esac
else
  source=probed
  start=$(now)
  if probe ''; then
    verdict=delivered
    rm -f "$dir.tail"
  else
    first=$?
    if [ "$first" = 1 ]; then
      tail_of "criu dump without CRIU_FAULT (failed, not hung)"
      die "$CRIU cannot dump a plain sleep; this is not the breakpoint hang"
    fi
    rm -f "$dir.tail"
    if probe 130; then
      verdict=missing
      rm -f "$dir.tail"
    else
      tail_of "criu dump with CRIU_FAULT=130"
      die "$CRIU hung for ${TIMEOUT}s dumping a plain sleep, and failed with CRIU_FAULT=130 too"
    fi
  fi
  seconds=$(echo "$start $(now)" | awk '{ printf "%.2f", $2 - $1 }')
fi

if [ "$source" != reused ] || { [ "$verdict" = missing ] && [ "$(field wrapper "$VERDICT")" != "$WRAPPER" ]; }; then
  at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  if [ "$source" = reused ]; then
    source=probed at=$(field at "$VERDICT") seconds=$(field probe_seconds "$VERDICT")
  fi
  mkdir -p "$(dirname "$VERDICT")"
  {
    echo "verdict=$verdict"
    echo "source=$source"
    echo "boot_id=$boot_id"
    echo "criu=$criu_version"
    echo "criu_path=$CRIU"
    echo "at=$at"
    [ -z "$seconds" ] || echo "probe_seconds=$seconds"
    [ "$verdict" = delivered ] || echo "wrapper=$WRAPPER"
  } >"$VERDICT.new"
  mv "$VERDICT.new" "$VERDICT"
fi

case $verdict in
  missing) install_wrapper "$WRAPPER" "$CRIU" ;;
  delivered) remove_wrapper "$WRAPPER" ;;
esac
