#!/bin/sh
# A real Debian 12 VM for the tests that need a pure cgroup v2 host with every controller
# (issue 19, item 2): qemu (bookworm's qemu-system-x86) boots Debian 12's own kernel
# (linux-image-amd64, installed into the VM's root, never into this host) with systemd as
# PID 1 and `systemd.unified_cgroup_hierarchy=1`. The root is the systemd host's
# (systemd-host.sh: Podman 4.3.1 on its default systemd cgroup manager, conmon, netavark,
# CRIU 4.1.1, Debian's nodejs 18) plus the kernel, the crun fixtures built with systemd
# under /opt/crun/<name>/crun and a small agent, as an ext4 image (mkfs.ext4 -d).
#
#   sh test/env/vm-host.sh packages        qemu-system-x86 from bookworm (stamped)
#   sh test/env/vm-host.sh prepare         packages, the systemd host's root, then the VM
#                                          image, cached by recipe
#   sh test/env/vm-host.sh start [UNIT...] boot (the image read-only: qemu's snapshot=on),
#                                          the UNITs masked (the caller needs none of them);
#                                          returns when systemd is running and the VM's own
#                                          breakpoint verdict is applied
#   sh test/env/vm-host.sh exec CMD...     CMD as a transient service inside (stdio and exit
#                                          status kept)
#   sh test/env/vm-host.sh share           the host directory seen inside as /opt/cgt
#   sh test/env/vm-host.sh stop            qemu ended (the image is its snapshot: nothing
#                                          inside is kept), the share removed
#
# No network (-nic none). The host and the VM talk through one 9p share (/opt/cgt): `exec`
# drops a script into its queue, and the agent (cgt-agent.service) runs each one with
# `systemd-run --wait --pipe --collect` (as systemd-host.sh's exec) and writes its status.
# Accelerator: TCG (KVM does not run a guest on this kind of machine, see accel_args);
# CGHERD_VM_ACCEL=kvm tries KVM. Which one ran is in $STATE/accel (systemd-detect-virt
# inside: kvm or qemu). CRIU in the VM gets the VM's own breakpoint verdict: breakpoints.sh
# runs inside at each start and installs its CRIU_FAULT=130 wrapper there when needed
# (under TCG the verdict probed at an image's first boot with a qemu is reused, see start).
# CGHERD_VM_EXEC_LOG=FILE: each exec appends its start (ms), duration (ms), status and
# command there, to see where a test's time goes.
# Only one VM at a time; callers hold /tmp/cgherd-suite.lock, and qemu never inherits it.
set -eu

FIXTURES=${FIXTURES:-/var/cache/cgherd-testbed}
HERE=$(cd "$(dirname "$0")" && pwd)
NAME=cgt-vm
STATE=/var/tmp/$NAME
SHARE=$STATE/share
RECIPE=1
VM_PACKAGES="linux-image-amd64 e2fsprogs containerd runc uidmap dbus-user-session"
PACKAGES_STAMP=/var/lib/cgherd-testbed/vm-packages.v1
MEM=${CGHERD_VM_MEM:-3072}
CPUS=${CGHERD_VM_CPUS:-2}
BOOT_TIMEOUT=${CGHERD_VM_BOOT_TIMEOUT:-600}

die() { echo "test/env/vm-host.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"

packages() {
  [ -e "$PACKAGES_STAMP" ] && command -v qemu-system-x86_64 >/dev/null && return 0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-system-x86 >/dev/null ||
    die "apt-get install qemu-system-x86 failed"
  mkdir -p "$(dirname "$PACKAGES_STAMP")"
  dpkg-query -W qemu-system-x86 >"$PACKAGES_STAMP"
}

sysd_tarball() {
  # shellcheck disable=SC2012
  ls -t "$FIXTURES"/deb12-systemd-host-*.tar 2>/dev/null | head -n 1
}

# The agent: runs every script dropped into /opt/cgt/q as a transient service.
# A script N.sh is taken by renaming it to N.run; N.out, N.err and then N.rc appear.
AGENT='#!/bin/sh
# cgt-agent: the host of test/env/vm-host.sh drops scripts into /opt/cgt/q.
q=/opt/cgt/q
mkdir -p "$q"
systemctl is-system-running --wait >/opt/cgt/state.tmp 2>&1 || true
mv /opt/cgt/state.tmp /opt/cgt/state
while :; do
  for f in "$q"/*.sh; do
    [ -e "$f" ] || continue
    n=${f%.sh}
    mv "$f" "$n.run" || continue
    (
      rc=0
      systemd-run --quiet --wait --pipe --collect --service-type=exec \
        -p Environment=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        /usr/bin/env -u INVOCATION_ID /bin/sh "$n.run" </dev/null >"$n.out" 2>"$n.err" || rc=$?
      echo "$rc" >"$n.rc.tmp" && mv "$n.rc.tmp" "$n.rc"
    ) &
  done
  sleep 0.1
done
'

AGENT_UNIT='[Unit]
Description=cgherd test bed agent (test/env/vm-host.sh)
RequiresMountsFor=/opt/cgt
After=opt-cgt.mount

[Service]
ExecStart=/usr/local/sbin/cgt-agent
KillMode=process

[Install]
WantedBy=multi-user.target
'

FSTAB='/dev/vda / ext4 rw,errors=remount-ro 0 1
cgt /opt/cgt 9p trans=virtio,version=9p2000.L,msize=262144,cache=none 0 0
'

CMDLINE='root=/dev/vda rw console=ttyS0 systemd.unified_cgroup_hierarchy=1 systemd.show_status=0 panic=-1'
# What the boot leaves out, on the kernel command line (not in the image, so not in its
# key). Each costs seconds of emulated CPU at boot, and no test uses it: the kernel's
# console chatter, CPU-bug mitigations and fsck (a test VM on a snapshot), the KVM modules
# (`-cpu max` offers VMX), the default devices (-nodefaults: VGA, CD-ROM, parallel port),
# and the units that timers or a boot start on their own (podman-auto-update alone took
# 5.7 s). Measured under TCG (2026-12-06): systemd's userspace 11.0 -> 7.7 s, boot_ms
# 24.0 -> 22.6 s.
BOOT_LEAN='quiet mitigations=off module_blacklist=kvm,kvm_intel,kvm_amd fsck.mode=skip noresume'
BOOT_MASKED='podman-auto-update.timer podman-auto-update.service podman-restart.service
e2scrub_reap.service e2scrub_all.timer apt-daily.timer apt-daily-upgrade.timer
dpkg-db-backup.timer fstrim.timer systemd-tmpfiles-clean.timer modprobe@drm.service
modprobe@dm_mod.service modprobe@loop.service modprobe@efi_pstore.service'

# The image's key: what goes into it.
key() {
  (
    echo "recipe=$RECIPE packages=$VM_PACKAGES"
    basename "$(sysd_tarball)"
    printf '%s' "$AGENT$AGENT_UNIT$FSTAB"
    for d in "$FIXTURES"/crun-*-systemd; do [ -x "$d/crun" ] && cat "$d/stamp"; done
  ) | sha256sum | cut -c1-16
}

image_dir() { echo "$FIXTURES/deb12-vm-$(key)"; }

prepare_image() {
  dir=$(image_dir)
  [ -s "$dir/root.img" ] && [ -s "$dir/vmlinuz" ] && [ -s "$dir/initrd.img" ] && return 0
  tarball=$(sysd_tarball)
  [ -n "$tarball" ] || die "no systemd host root (run: sh test/env/systemd-host.sh prepare)"
  t0=$(date +%s)
  work=$(mktemp -d /var/tmp/cgt-vm-prep.XXXXXX)
  root=$work/root
  mkdir "$root"
  tar -C "$root" -xf "$tarball"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  # shellcheck disable=SC2016
  sh "$HERE/deb12-root.sh" run "$root" sh -c '
    set -e
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $0 >/dev/null
    apt-get clean
    rm -rf /var/lib/apt/lists/*_Packages /var/lib/apt/lists/*_Translation-*
    ls /boot' "$VM_PACKAGES" >"$work/log" 2>&1 ||
    { tail -n 30 "$work/log" >&2; rm -rf "$work"; die "installing the kernel into the root failed"; }
  for d in "$FIXTURES"/crun-*-systemd; do
    [ -x "$d/crun" ] || continue
    mkdir -p "$root/opt/crun/${d##*/}"
    cp "$d/crun" "$root/opt/crun/${d##*/}/crun"
  done
  mkdir -p "$root/opt/cgt" "$root/usr/local/sbin"
  printf '%s' "$AGENT" >"$root/usr/local/sbin/cgt-agent"
  chmod 755 "$root/usr/local/sbin/cgt-agent"
  printf '%s' "$AGENT_UNIT" >"$root/etc/systemd/system/cgt-agent.service"
  mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
  ln -sf /etc/systemd/system/cgt-agent.service "$root/etc/systemd/system/multi-user.target.wants/cgt-agent.service"
  printf '%s' "$FSTAB" >"$root/etc/fstab"
  echo "$NAME" >"$root/etc/hostname"
  # The serial console is read by no one: no getty on it.
  ln -sf /dev/null "$root/etc/systemd/system/serial-getty@ttyS0.service"
  rm -f "$root/etc/resolv.conf"
  # The kernel and initrd boot from outside the image (qemu -kernel -initrd).
  kver=$(basename "$(ls "$root"/boot/vmlinuz-* | tail -n 1)" | sed 's/^vmlinuz-//')
  [ -s "$root/boot/initrd.img-$kver" ] || { rm -rf "$work"; die "no initrd for $kver in the root"; }
  rm -rf "$dir.new" && mkdir -p "$dir.new"
  cp "$root/boot/vmlinuz-$kver" "$dir.new/vmlinuz"
  cp "$root/boot/initrd.img-$kver" "$dir.new/initrd.img"
  size=$(du -sm "$root" | cut -f1)
  mkfs.ext4 -q -F -L cgt-vm -d "$root" "$dir.new/root.img" "$((size + 6144))M" >"$work/mkfs.log" 2>&1 ||
    { cat "$work/mkfs.log" >&2; rm -rf "$work" "$dir.new"; die "mkfs.ext4 -d failed"; }
  echo "kernel=$kver built_in=$(($(date +%s) - t0))s" >"$dir.new/stamp"
  rm -rf "$work"
  rm -rf "$dir" && mv "$dir.new" "$dir"
  for old in "$FIXTURES"/deb12-vm-*; do
    [ "$old" = "$dir" ] || rm -rf "$old"
  done
}

prepare() {
  packages
  sh "$HERE/systemd-host.sh" prepare
  prepare_image
}

accel_args() {
  case ${CGHERD_VM_ACCEL:-} in
    kvm) echo "-accel kvm -cpu host" ;;
    tcg) echo "-accel tcg -cpu max" ;;
    # Measured here (2026-12-06): /dev/kvm answers KVM_GET_API_VERSION, but the CPU has no
    # vmx/svm; `-cpu host` or `max` under KVM aborts (failed to set MSR 0x10a), and with
    # `-arch-capabilities` the guest hangs after "Probing EDD". So TCG unless asked.
    '') echo "-accel tcg -cpu max" ;;
    *) die "CGHERD_VM_ACCEL=$CGHERD_VM_ACCEL: expected kvm or tcg" ;;
  esac
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# run_in_vm TIMEOUT_S SCRIPT-ARGS...: queue a script, wait for its status, relay its output.
seq_no() {
  n=$(($(cat "$STATE/seq" 2>/dev/null || echo 0) + 1))
  echo "$n" >"$STATE/seq"
  echo "$n-$$"
}

run_exec() {
  [ -d "$SHARE/q" ] || die "not running (no $SHARE/q)"
  t_exec=$(now_ms)
  id=$(seq_no)
  q=$SHARE/q
  # The script execs the command with its arguments, quoted for sh.
  {
    printf 'exec'
    for a in "$@"; do
      printf " '%s'" "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")"
    done
    printf '\n'
  } >"$q/$id.tmp"
  mv "$q/$id.tmp" "$q/$id.sh"
  pid=$(cat "$STATE/qemu.pid")
  while [ ! -e "$q/$id.rc" ]; do
    kill -0 "$pid" 2>/dev/null || die "the VM is gone (qemu exited)"
    sleep 0.05
  done
  rc=$(cat "$q/$id.rc")
  cat "$q/$id.out"
  cat "$q/$id.err" >&2
  rm -f "$q/$id.run" "$q/$id.out" "$q/$id.err" "$q/$id.rc"
  [ -z "${CGHERD_VM_EXEC_LOG:-}" ] ||
    printf '%s %s %s %s\n' "$t_exec" "$(($(now_ms) - t_exec))" "$rc" "$(echo "$*" | tr '\n' ' ' | cut -c1-160)" >>"$CGHERD_VM_EXEC_LOG"
  return "$rc"
}

start() {
  [ -e "$STATE" ] && die "$STATE exists: stop the running VM first (sh $0 stop)"
  dir=$(image_dir)
  [ -s "$dir/root.img" ] || die "no VM image (run: sh $0 prepare)"
  command -v qemu-system-x86_64 >/dev/null || die "no qemu-system-x86_64 (run: sh $0 packages)"
  cmdline="$CMDLINE $BOOT_LEAN"
  for u in $BOOT_MASKED "$@"; do cmdline="$cmdline systemd.mask=$u"; done
  t0=$(now_ms)
  mkdir -p "$SHARE/q"
  # shellcheck disable=SC2046
  setsid perl -MPOSIX -e 'POSIX::close($_) for 3 .. 1023; exec @ARGV or die "exec: $!"' \
    qemu-system-x86_64 $(accel_args) -machine q35 -smp "$CPUS" -m "$MEM" -nodefaults \
    -kernel "$dir/vmlinuz" -initrd "$dir/initrd.img" -append "$cmdline" \
    -drive "file=$dir/root.img,format=raw,if=virtio,snapshot=on,cache=unsafe" \
    -virtfs "local,path=$SHARE,mount_tag=cgt,security_model=none,id=cgt" \
    -nic none -display none -monitor none -serial "file:$STATE/console.log" -no-reboot \
    -name "$NAME,debug-threads=on" \
    </dev/null >"$STATE/qemu.log" 2>&1 &
  echo $! >"$STATE/qemu.pid"
  pid=$!
  limit=$((t0 + BOOT_TIMEOUT * 1000))
  until [ -e "$SHARE/state" ]; do
    kill -0 "$pid" 2>/dev/null || { cat "$STATE/qemu.log" >&2; tail -n 30 "$STATE/console.log" >&2; die "qemu exited during boot"; }
    [ "$(now_ms)" -lt "$limit" ] || { tail -n 30 "$STATE/console.log" >&2; die "no running systemd after $BOOT_TIMEOUT s"; }
    sleep 0.05
  done
  t1=$(now_ms)
  s=$(cat "$SHARE/state")
  [ "$s" = running ] || { run_exec systemctl --failed --no-legend >&2 || true; die "systemd in the VM is '$s', not running"; }
  # The VM's own breakpoint verdict (it is another machine than this host), then what ran
  # and what was found, in one round trip. Under TCG, delivery is qemu's emulation of the
  # debug registers: probed (about 5 s of CRIU) at the first boot of an image with a qemu,
  # then applied as found (breakpoints.sh's forced verdict). Under KVM it is the host's
  # hypervisor's: probed at every boot.
  cp "$HERE/breakpoints.sh" "$SHARE/breakpoints.sh"
  known= found_at=
  case $(accel_args) in
    *tcg*) found_at=$dir/breakpoints-$( (qemu-system-x86_64 --version | head -n 1; accel_args) | sha256sum | cut -c1-16) ;;
  esac
  [ -z "$found_at" ] || known=$(cat "$found_at" 2>/dev/null || true)
  case $known in delivered | missing) probe=known ;; *) known= probe=probed ;; esac
  t2=$(now_ms)
  # shellcheck disable=SC2016
  found=$(run_exec env CGHERD_TESTBED_BREAKPOINTS="$known" sh -c 'sh /opt/cgt/breakpoints.sh >/dev/null || exit
    echo "virt=$(systemd-detect-virt || true)"
    sed -n "s/^verdict=//p" /var/cache/cgherd-testbed/breakpoints') || die "breakpoints.sh inside the VM failed"
  t3=$(now_ms)
  case $found in virt=kvm*) echo kvm ;; *) echo tcg ;; esac >"$STATE/accel"
  verdict=$(echo "$found" | sed -n 2p)
  if [ -n "$found_at" ] && [ -z "$known" ]; then
    case $verdict in delivered | missing) echo "$verdict" >"$found_at.tmp" && mv "$found_at.tmp" "$found_at" ;; esac
  fi
  printf 'accel=%s boot_ms=%s probe_ms=%s breakpoints=%s (%s)\n' "$(cat "$STATE/accel")" "$((t1 - t0))" "$((t3 - t2))" "$verdict" "$probe" >"$STATE/boot-time"
}

stop() {
  [ -d "$STATE" ] || return 0
  pid=$(cat "$STATE/qemu.pid" 2>/dev/null || true)
  # No poweroff: the image is qemu's snapshot (nothing inside is kept), and a poweroff under
  # TCG cost 3-5 s. qemu exits at once on SIGTERM.
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    i=0
    while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
      echo "test/env/vm-host.sh: qemu still runs 5 s after SIGTERM; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
      i=0
      while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    fi
  fi
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    echo "test/env/vm-host.sh: qemu $pid still runs" >&2
    return 1
  fi
  rm -rf "$STATE"
}

case ${1:-} in
  packages) [ $# = 1 ] || die "usage: packages"; packages ;;
  prepare) [ $# = 1 ] || die "usage: prepare"; prepare ;;
  start) shift; start "$@" ;;
  exec) [ $# -ge 2 ] || die "usage: exec CMD..."; shift; run_exec "$@" ;;
  share) echo "$SHARE" ;;
  boot-time) cat "$STATE/boot-time" ;;
  stop) [ $# = 1 ] || die "usage: stop"; stop ;;
  *) die "usage: vm-host.sh packages | prepare | start [UNIT...] | exec CMD... | share | boot-time | stop" ;;
esac
