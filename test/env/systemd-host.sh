#!/bin/sh
# A systemd host inside this (non-systemd) machine, for the tests of Podman's default
# systemd cgroup manager: `systemd-nspawn --boot` of a Debian 12 root whose PID 1 is
# systemd, with dbus, Podman 4.3.1 (cgroup_manager "systemd", its default there), conmon,
# netavark, CRIU 4.1.1 (the local debs), Debian's nodejs 18, and the crun fixtures built
# with systemd (crun-systemd.sh) under /opt/crun/<name>/crun.
#
#   sh test/env/systemd-host.sh prepare     nspawn (extracted, not installed), the crun
#                                           fixtures and the root tarball, each cached
#   sh test/env/systemd-host.sh start       a fresh copy of the root, booted; returns when
#                                           systemd is running
#   sh test/env/systemd-host.sh exec CMD... CMD as a transient service inside (stdio piped,
#                                           exit status kept)
#   sh test/env/systemd-host.sh pid1        the host's pid of the container's systemd
#   sh test/env/systemd-host.sh share       the host directory seen inside as /opt/cgt
#   sh test/env/systemd-host.sh stop        poweroff, then remove the copy, the cgroups
#                                           and /run/systemd/nspawn: the host as it was
#
# Why each setting (measured on this VM; docs in /work/shared/facts.md, issue 19):
#   - SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1: systemd inside gets a cgroup2 of its own;
#   - SYSTEMD_NSPAWN_API_VFS_WRITABLE=1: CRIU writes /proc/sys (ns_last_pid);
#   - SYSTEMD_SECCOMP=0: nspawn's filter refuses the keyring calls crun makes;
#   - --capability=all: CRIU sets a monotonic clock offset (time namespace);
#   - --register=no --keep-unit: no systemd on the host to register with;
#   - the launcher in its own cgroup2 node and its own child of every v1 hierarchy: CRIU
#     saves what lies under a process's v1 cgroups, and at the roots it swept up other
#     jobs' cgroups.
# Only one instance at a time (NAME below); callers hold /tmp/cgherd-suite.lock.
set -eu

FIXTURES=${FIXTURES:-/var/cache/cgherd-testbed}
HERE=$(cd "$(dirname "$0")" && pwd)
NAME=cgt-sysd
STATE=/var/tmp/$NAME
RECIPE=2
PACKAGES="systemd systemd-sysv dbus podman conmon netavark iptables iproute2 busybox-static nodejs"

die() { echo "test/env/systemd-host.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"

systemd_version() { dpkg-query -W -f '${Version}' systemd; }
NSPAWN_DIR=$FIXTURES/systemd-container-$(systemd_version | tr -c 'a-zA-Z0-9.+~\n' _)
NSPAWN=$NSPAWN_DIR/usr/bin/systemd-nspawn

criu_dir() {
  for d in "$FIXTURES"/criu-*; do [ -s "$d/criu.deb" ] && echo "$d"; done | tail -n 1
}

# Podman's configuration inside: the systemd manager stays its default; the rest is what
# this VM needs (no pids controller in cgroup2, no network, no journald events).
CONTAINERS_CONF='[containers]
netns = "none"
pids_limit = 0
log_driver = "k8s-file"

[engine]
events_logger = "file"
'

# The root's key: what goes into it. Bump RECIPE when prepare_root changes otherwise; the
# rest of this script (start, stop) can change without costing a new root.
key() {
  (
    echo "recipe=$RECIPE packages=$PACKAGES"
    printf '%s' "$CONTAINERS_CONF"
    cat "$(criu_dir)/stamp" 2>/dev/null || true
    cat "$HERE/deb12-root.sh"
  ) | sha256sum | cut -c1-16
}

# nspawn from bookworm's systemd-container, the host's systemd version (it links the host's
# libsystemd-shared): extracted into the cache, never installed.
prepare_nspawn() {
  [ -x "$NSPAWN" ] && return 0
  work=$(mktemp -d /tmp/cgt-nspawn.XXXXXX)
  (cd "$work" && apt-get download -qq "systemd-container=$(systemd_version)") >/dev/null 2>&1 ||
    { rm -rf "$work"; die "apt-get download systemd-container=$(systemd_version) failed"; }
  rm -rf "$NSPAWN_DIR.new"
  dpkg-deb -x "$work"/systemd-container_*.deb "$NSPAWN_DIR.new"
  rm -rf "$work"
  "$NSPAWN_DIR.new/usr/bin/systemd-nspawn" --version >/dev/null || die "extracted systemd-nspawn does not run"
  rm -rf "$NSPAWN_DIR" && mv "$NSPAWN_DIR.new" "$NSPAWN_DIR"
}

prepare_root() {
  tarball=$FIXTURES/deb12-systemd-host-$(key).tar
  [ -s "$tarball" ] && return 0
  criu=$(criu_dir)
  [ -n "$criu" ] || die "no CRIU debs in $FIXTURES (run test/env/setup.sh)"
  work=$(mktemp -d /var/tmp/cgt-sysd-prep.XXXXXX)
  root=$work/root
  sh "$HERE/deb12-root.sh" make "$root"
  mkdir -p "$root/tmp/criu"
  cp "$criu"/criu.deb "$criu"/libcriu2.deb "$root/tmp/criu/"
  mkdir -p "$root/etc/containers"
  printf '%s' "$CONTAINERS_CONF" >"$root/etc/containers/containers.conf"
  printf '[storage]\ndriver = "overlay"\nrunroot = "/run/containers/storage"\ngraphroot = "/var/lib/containers/storage"\n' \
    >"$root/etc/containers/storage.conf"
  echo "$NAME" >"$root/etc/hostname"
  # shellcheck disable=SC2016
  sh "$HERE/deb12-root.sh" run "$root" sh -c '
    set -e
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $0 /tmp/criu/criu.deb /tmp/criu/libcriu2.deb >/dev/null
    apt-get clean
    rm -rf /tmp/criu /var/lib/apt/lists/*_Packages /var/lib/apt/lists/*_Translation-*
    # A console getty would wait on a console nobody reads.
    systemctl mask console-getty.service getty@tty1.service >/dev/null 2>&1 || true
    node --version; dpkg-query -W podman crun conmon criu' "$PACKAGES" >"$work/log" 2>&1 ||
    { tail -n 30 "$work/log" >&2; rm -rf "$work"; die "preparing the root failed"; }
  grep -q '^v18\.' "$work/log" || { rm -rf "$work"; die "node inside the root is not Debian's 18"; }
  tar -C "$root" -cf "$tarball.new" . && mv "$tarball.new" "$tarball"
  rm -rf "$work"
  for old in "$FIXTURES"/deb12-systemd-host-*.tar; do
    [ "$old" = "$tarball" ] || rm -f "$old"
  done
}

prepare() {
  prepare_nspawn
  sh "$HERE/crun-systemd.sh"
  prepare_root
}

# The v1 hierarchies' mount points (named ones included), from mountinfo.
v1_mounts() { awk '$9 == "cgroup" { print $5 }' /proc/self/mountinfo; }
v2_mount() { awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo; }

pid1() {
  [ -s "$STATE/pid1" ] || die "not running (no $STATE/pid1)"
  cat "$STATE/pid1"
}

# systemd in the container: the child of nspawn (or of its child) whose comm is systemd.
find_pid1() {
  nspawn=$1
  for p in $(cat /proc/"$nspawn"/task/*/children 2>/dev/null); do
    if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = systemd ]; then echo "$p"; return 0; fi
    for q in $(cat /proc/"$p"/task/*/children 2>/dev/null); do
      [ "$(cat "/proc/$q/comm" 2>/dev/null)" = systemd ] && { echo "$q"; return 0; }
    done
  done
  return 1
}

enter() { nsenter -t "$(pid1)" -m -u -i -n -p -C "$@"; }

start() {
  [ -e "$STATE" ] && die "$STATE exists: stop the running host first (sh $0 stop)"
  [ -x "$NSPAWN" ] || die "no $NSPAWN (run: sh $0 prepare)"
  tarball=$FIXTURES/deb12-systemd-host-$(key).tar
  [ -s "$tarball" ] || die "no root tarball (run: sh $0 prepare)"
  v2=$(v2_mount)
  [ -n "$v2" ] || die "no cgroup2 mounted"
  t0=$(date +%s%N)
  mkdir -p "$STATE/root"
  [ -d /run/systemd ] || touch "$STATE/made-run-systemd"
  tar -C "$STATE/root" -xf "$tarball"
  for d in "$FIXTURES"/crun-*-systemd; do
    [ -x "$d/crun" ] || continue
    mkdir -p "$STATE/root/opt/crun/${d##*/}"
    cp "$d/crun" "$STATE/root/opt/crun/${d##*/}/crun"
  done
  # The host's breakpoint verdict, not the tarball's: on a machine that does not deliver
  # hardware breakpoints the root's CRIU 4.1.1 must take the no-breakpoint path too (a
  # wrapper in its /usr/local/sbin, which systemd's service PATH puts before /usr/sbin).
  sh "$HERE/breakpoints.sh" --root "$STATE/root" || die "breakpoints.sh --root failed"
  # /opt/cgt: files the tests hand in (a .deb, images); /opt/host: the host's /usr and
  # /etc, read-only, for the Java container (the host's JDK, as in test/lib/podman/podman-java.ts).
  mkdir -p "$STATE/share" "$STATE/root/opt/cgt" "$STATE/root/opt/host/usr" "$STATE/root/opt/host/etc"
  # The cgroups nspawn runs in: its own, so that nothing else is swept up or left behind.
  mkdir "$v2/$NAME"
  for m in $(v1_mounts); do
    mkdir "$m/$NAME"
    if [ -e "$m/cpuset.cpus" ]; then
      cat "$m/cpuset.cpus" >"$m/$NAME/cpuset.cpus"
      cat "$m/cpuset.mems" >"$m/$NAME/cpuset.mems"
    fi
  done
  # nspawn outlives this script: it must not inherit a caller's descriptors (a
  # `flock LOCK sh systemd-host.sh start` would otherwise hold the lock until poweroff).
  # perl-base is Essential in Debian; dash cannot close a descriptor above 9.
  # shellcheck disable=SC2016
  setsid sh -c '
    v2=$1 name=$2 nspawn=$3 root=$4; shift 4
    echo $$ >"$v2/$name/cgroup.procs"
    for m in "$@"; do echo $$ >"$m/$name/cgroup.procs"; done
    exec perl -MPOSIX -e "POSIX::close(\$_) for 3 .. 1023; exec @ARGV or die \"exec: \$!\"" \
      env SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 SYSTEMD_SECCOMP=0 SYSTEMD_NSPAWN_API_VFS_WRITABLE=1 \
      "$nspawn" --boot --register=no --keep-unit --private-network --capability=all \
      --console=passive --machine="$name" -D "$root/root" --bind="$root/share:/opt/cgt" \
      --bind-ro=/usr:/opt/host/usr --bind-ro=/etc:/opt/host/etc' \
    x "$v2" "$NAME" "$NSPAWN" "$STATE" $(v1_mounts) </dev/null >"$STATE/nspawn.log" 2>&1 &
  echo $! >"$STATE/nspawn.pid"
  nspawn=$!
  i=0
  until p=$(find_pid1 "$nspawn"); do
    i=$((i + 1))
    kill -0 "$nspawn" 2>/dev/null || { cat "$STATE/nspawn.log" >&2; die "nspawn exited during boot"; }
    [ "$i" -lt 300 ] || die "no systemd in the container after 30 s"
    sleep 0.1
  done
  echo "$p" >"$STATE/pid1"
  # Until systemd's bus is up, systemctl fails at once instead of waiting.
  i=0
  while :; do
    s=$(timeout 60 nsenter -t "$p" -m -u -i -n -p -C systemctl is-system-running --wait 2>/dev/null || true)
    case $s in running | degraded | maintenance | stopping) break ;; esac
    i=$((i + 1))
    [ "$i" -lt 300 ] || break
    sleep 0.1
  done
  case $s in
    running) ;;
    *) enter systemctl --failed --no-legend >&2 || true; die "systemd is '$s', not running" ;;
  esac
  t1=$(date +%s%N)
  echo "booted in $(((t1 - t0) / 1000000)) ms (copy of the root included)" >"$STATE/boot-time"
}

run_exec() {
  # --pipe keeps stdio; --wait --collect return the command's status and leave no unit.
  # Without INVOCATION_ID, as in a login shell: Podman leaves conmon in the calling unit
  # when it sees one (it takes itself for a systemd service), and systemd then waits 90 s
  # and kills conmon when the command ends. Without it conmon gets its
  # libpod-conmon-<id>.scope, as on a user's host.
  enter systemd-run --quiet --wait --pipe --collect --service-type=exec \
    -p Environment=PATH=/usr/sbin:/usr/bin:/sbin:/bin /usr/bin/env -u INVOCATION_ID "$@"
}

# Removes a cgroup tree, deepest first; complains about what stays.
remove_cgroup_tree() {
  [ -d "$1" ] || return 0
  find "$1" -depth -type d -exec rmdir {} + 2>/dev/null || true
  [ ! -d "$1" ] || { echo "test/env/systemd-host.sh: cannot remove $1" >&2; return 1; }
}

stop() {
  [ -d "$STATE" ] || return 0
  status=0
  nspawn=$(cat "$STATE/nspawn.pid" 2>/dev/null || true)
  if [ -n "$nspawn" ] && kill -0 "$nspawn" 2>/dev/null; then
    [ -s "$STATE/pid1" ] && enter systemctl poweroff >/dev/null 2>&1 || true
    i=0
    while kill -0 "$nspawn" 2>/dev/null && [ "$i" -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
    if kill -0 "$nspawn" 2>/dev/null; then
      echo "test/env/systemd-host.sh: no poweroff after 20 s; killing nspawn" >&2
      kill -KILL "$nspawn" 2>/dev/null || true
      sleep 1
    fi
  fi
  # Anything still in our cgroups (a killed boot) goes too.
  for g in "$(v2_mount)/$NAME" $(v1_mounts | sed "s|\$|/$NAME|"); do
    [ -d "$g" ] || continue
    for p in $(find "$g" -name cgroup.procs -exec cat {} + 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
  done
  sleep 0.2
  for g in "$(v2_mount)/$NAME" $(v1_mounts | sed "s|\$|/$NAME|"); do
    remove_cgroup_tree "$g" || status=1
  done
  rm -rf /run/systemd/nspawn
  if [ -e "$STATE/made-run-systemd" ]; then rmdir /run/systemd 2>/dev/null || true; fi
  if grep -q " $STATE/" /proc/self/mountinfo; then
    echo "test/env/systemd-host.sh: mounts left under $STATE" >&2
    status=1
  else
    rm -rf "$STATE"
  fi
  return "$status"
}

case ${1:-} in
  prepare) [ $# = 1 ] || die "usage: prepare"; prepare ;;
  start) [ $# = 1 ] || die "usage: start"; start ;;
  exec) [ $# -ge 2 ] || die "usage: exec CMD..."; shift; run_exec "$@" ;;
  pid1) pid1 ;;
  share) echo "$STATE/share" ;;
  stop) [ $# = 1 ] || die "usage: stop"; stop ;;
  *) die "usage: systemd-host.sh prepare | start | exec CMD... | pid1 | share | stop" ;;
esac
