#!/bin/bash
# Re-captures the OCI configs Podman generates, as fixtures for the validator tests
# (test/fixtures/oci-configs/podman-<version>/). Root only; no registry needed.
#
#   bash test/env/capture-podman-configs.sh [OUT_DIR]
#
# A private Podman (--root/--runroot/config under /tmp/cgt-val-podman, cgroup parent
# /cgt-val-podman, cgroupfs, file events, no network) runs with a logging runtime: a
# script that copies <bundle>/config.json for every `create` and `restore` call, then
# execs crun for create (the container really runs, so it can be checkpointed) and fails
# restore on purpose (the config is what we want; a real CRIU restore on this hybrid host
# can leave cgroups behind that break other containers, see facts.md).
# Podman runs in a private mount namespace with the kernel's cgroup2 unmounted, the v1
# layout crun accepts (facts.md, "Hybrid cgroups").
# Each scenario is one `podman run` with the options named in its label. A scenario that
# Podman or crun refuses is still captured when the runtime was called; the summary says
# which ones failed and why, and which were not captured at all.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CRUN=/var/cache/cgherd-testbed/crun-1.21/crun # test/env/setup.sh builds it
NAME=cgt-val-podman
DIR=/tmp/$NAME
PARENT=/$NAME
VERSION=$(podman --version | awk '{print $3}')
OUT=${1:-$REPO/test/fixtures/oci-configs/podman-$VERSION}
IMAGE=localhost/cgt-val-busybox:latest

[ "$(id -u)" = 0 ] || {
	echo "$0: must run as root" >&2
	exit 1
}

holder=
cleanup() {
	if [ -n "$holder" ]; then
		pm rm --all --force --time 0 >/dev/null 2>&1
		pm pod rm --all --force >/dev/null 2>&1
		pm volume rm --all --force >/dev/null 2>&1
		kill -KILL "$holder" 2>/dev/null
		wait "$holder" 2>/dev/null
	fi
	# Every cgroup under our parent, in every hierarchy, deepest first.
	for top in /sys/fs/cgroup/*/"$NAME" /sys/fs/cgroup/"$NAME"; do
		[ -d "$top" ] || continue
		find "$top" -depth -type d | while read -r d; do
			for pid in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
			rmdir "$d" 2>/dev/null || { sleep 0.2; rmdir "$d" 2>/dev/null; } || echo "cleanup: cannot remove $d" >&2
		done
	done
}
trap cleanup EXIT

rm -rf "$DIR"
mkdir -p "$DIR/root" "$DIR/run" "$DIR/scratch" "$DIR/hooks.d" "$OUT"
rm -f "$OUT"/*.json
echo none >"$DIR/scenario"

nofile=$(awk '/^Max open files/ {print $5}' /proc/self/limits)
nproc=$(awk '/^Max processes/ {print $4}' /proc/self/limits)
# Root lacks CAP_SYS_RESOURCE here: never ask for more than the hard limits, and Podman
# caps its own RLIMIT_NPROC at pid_max.
pid_max=$(cat /proc/sys/kernel/pid_max)
[ "$nproc" = unlimited ] || [ "$nproc" -gt "$pid_max" ] && nproc=$pid_max
cat >"$DIR/containers.conf" <<EOF
[containers]
netns = "none"
pids_limit = 0
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[network]
network_config_dir = "$DIR/root/networks"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
lock_type = "file"
tmp_dir = "$DIR/run/libpod"
static_dir = "$DIR/root/libpod"
volume_path = "$DIR/root/volumes"
EOF
cat >"$DIR/storage.conf" <<EOF
[storage]
driver = "overlay"
runroot = "$DIR/run/storage"
graphroot = "$DIR/root/storage"
EOF
echo 'unqualified-search-registries = []' >"$DIR/registries.conf"

# The logging runtime. No PATH reaches a runtime started by conmon: absolute paths only.
cat >"$DIR/logging-runtime" <<EOF
#!/bin/sh
cmd= bundle=. prev=
for arg in "\$@"; do
	case \$prev in --bundle | -b) bundle=\$arg ;; esac
	case \$arg in --bundle=*) bundle=\${arg#--bundle=} ;; esac
	[ -z "\$cmd" ] && case \$arg in create | restore | run) cmd=\$arg ;; esac
	prev=\$arg
done
if [ -n "\$cmd" ]; then
	label=\$(/bin/cat "$DIR/scenario")
	out="$OUT/\$label.json" n=1
	while [ -e "\$out" ]; do n=\$((n + 1)); out="$OUT/\$label.\$n.json"; done
	/bin/cp "\$bundle/config.json" "\$out"
	echo "\$cmd \$out" >>"$DIR/captured.log"
fi
if [ "\$cmd" = restore ]; then
	echo "cgt-val logging runtime: restore config captured; not restoring" >&2
	exit 1
fi
exec "$CRUN" "\$@"
EOF
chmod 755 "$DIR/logging-runtime"

# An OCI hook for --hooks-dir, so the config has hooks in it.
cat >"$DIR/hooks.d/cgt-val-hook.json" <<EOF
{"version": "1.0.0", "hook": {"path": "/bin/true", "args": ["true", "cgt-val"], "timeout": 5},
 "when": {"annotations": {"^cgt-val\\\\.hook\$": "^yes\$"}}, "stages": ["prestart", "poststop"]}
EOF

# A custom seccomp profile: the default, but failing with EPERM by default and logging
# one syscall, so the config carries values the default profile does not.
seccomp=$DIR/seccomp.json
node -e '
const p = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
p.defaultAction = "SCMP_ACT_ERRNO";
p.defaultErrnoRet = 1;
p.syscalls.push({ names: ["sethostname"], action: "SCMP_ACT_LOG" });
require("fs").writeFileSync(process.argv[2], JSON.stringify(p));
' /usr/share/containers/seccomp.json "$seccomp" || exit 1

export CONTAINERS_CONF=$DIR/containers.conf
export CONTAINERS_STORAGE_CONF=$DIR/storage.conf
export CONTAINERS_REGISTRIES_CONF=$DIR/registries.conf

unshare -m --propagation private /bin/sh -c '
	if /bin/mountpoint -q /sys/fs/cgroup/unified; then /bin/umount /sys/fs/cgroup/unified || exit 125; fi
	/bin/mount -t tmpfs -o mode=0700 cgt-val-run "$1" || exit 125
	exec /bin/sleep 3600' cgt-val-holder "$DIR/run" &
holder=$!
for _ in $(seq 50); do
	grep -q cgt-val-run "/proc/$holder/mounts" 2>/dev/null && break
	sleep 0.1
done
grep -q cgt-val-run "/proc/$holder/mounts" || {
	echo "$0: namespace holder did not start" >&2
	exit 1
}

pm() {
	nsenter -t "$holder" -m -- podman --root "$DIR/root/storage" --runroot "$DIR/run/storage" \
		--cgroup-manager cgroupfs --events-backend file --runtime "$DIR/logging-runtime" \
		--hooks-dir "$DIR/hooks.d" "$@"
}

# The image: busybox-static alone.
mkdir -p "$DIR/image/bin" "$DIR/image/etc" "$DIR/image/tmp" "$DIR/image/root"
cp /bin/busybox "$DIR/image/bin/busybox"
for applet in sh sleep true cat; do ln -s busybox "$DIR/image/bin/$applet"; done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$DIR/image/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$DIR/image/etc/group"
tar -C "$DIR/image" -cf "$DIR/busybox.tar" .
pm import --quiet --change 'CMD ["/bin/sh"]' "$DIR/busybox.tar" "$IMAGE" >/dev/null || exit 1

failed=()
missing=()
# capture LABEL [podman run options...]: one container; the command is always `sleep`.
capture() {
	local label=$1
	shift
	echo "$label" >"$DIR/scenario"
	local before
	before=$(ls "$OUT" | wc -l)
	local err
	err=$(pm run -d --name "cgt-val-$label" --cgroup-parent "$PARENT" --network none "$@" \
		"$IMAGE" sleep 600 2>&1 >/dev/null) || failed+=("$label: ${err//$'\n'/ }")
	[ "$(ls "$OUT" | wc -l)" -gt "$before" ] || missing+=("$label")
	pm rm --force --time 0 "cgt-val-$label" >/dev/null 2>&1
}

vol=$DIR/scratch/bind
mkdir -p "$vol"
echo hello >"$vol/file"

capture default
capture user-numeric --user 1000:1000
capture user-name --user nobody --group-add 10 --group-add 65534
capture env -e FOO=bar -e EMPTY= -e 'SPACES=a b  c' --env-file /dev/null --workdir /tmp
capture mounts --mount "type=bind,source=$vol,destination=/data,ro=true" --mount type=tmpfs,destination=/scratch,tmpfs-size=1m
capture volumes -v "$vol:/mnt/a:ro" -v cgt-val-named:/mnt/b -v /mnt/anon
capture tmpfs --tmpfs /run:rw,size=65536k,mode=1777 --tmpfs /var/cache
capture ulimits --ulimit nofile=1024:2048 --ulimit core=-1:-1 --ulimit nproc=100:200
capture caps-add-drop --cap-add NET_ADMIN --cap-add SYS_PTRACE --cap-drop CHOWN
capture caps-drop-all --cap-drop ALL
capture devices --device /dev/null:/dev/xnull:rw --device /dev/zero --device-cgroup-rule 'c 1:3 rwm'
capture seccomp-unconfined --security-opt seccomp=unconfined
capture seccomp-profile --security-opt "seccomp=$seccomp"
capture no-new-privileges --security-opt no-new-privileges --security-opt label=disable
capture masks --security-opt mask=/proc/acpi:/sys/firmware --security-opt unmask=/proc/kcore
capture read-only --read-only
capture read-only-no-tmpfs --read-only --read-only-tmpfs=false
capture sysctl --sysctl net.core.somaxconn=1024 --sysctl kernel.msgmax=65536
capture resources-memory --memory 64m --memory-swap 128m --memory-reservation 32m --memory-swappiness 10 --oom-kill-disable
capture resources-cpu --cpus 0.5 --cpu-shares 512 --cpuset-cpus 0 --cpuset-mems 0
capture resources-cpu-rt --cpu-period 100000 --cpu-quota 50000 --cpu-rt-period 1000000 --cpu-rt-runtime 0
capture resources-pids --pids-limit 100
capture resources-blkio --blkio-weight 300 --blkio-weight-device /dev/vda:200 --device-read-bps /dev/vda:1mb --device-write-iops /dev/vda:100
capture oom-score --oom-score-adj 100 --shm-size 128m
capture init --init
capture healthcheck --health-cmd 'true' --health-interval 30s --health-retries 2
capture annotations --annotation org.example.key=value --annotation 'org.example.spaces=a b' --label org.example.label=1
capture oci-hooks --annotation cgt-val.hook=yes
capture privileged --privileged
capture namespaces-host --pid host --ipc host --uts host --cgroupns host
capture namespaces-private --cgroupns private --ipc private --hostname cgt-val-host
capture uidmap --uidmap 0:100000:65536 --gidmap 0:100000:65536
capture tty -t -i
capture entrypoint --entrypoint /bin/sh --stop-signal SIGINT
capture systemd-always --systemd always
capture personality --personality LINUX32
capture timezone --tz UTC
capture rm --rm

if pm pod create --name cgt-val-pod --cgroup-parent "$PARENT" --network none >/dev/null 2>"$DIR/pod.err"; then
	capture pod-member --pod cgt-val-pod
else
	failed+=("pod: $(tr '\n' ' ' <"$DIR/pod.err")")
fi
pm pod rm --force cgt-val-pod >/dev/null 2>&1
# The pod's infra container is created first, when its first member starts.
if [ -e "$OUT/pod-member.2.json" ]; then
	mv "$OUT/pod-member.json" "$OUT/pod-infra.json"
	mv "$OUT/pod-member.2.json" "$OUT/pod-member.json"
fi

# Restore: checkpoint a running container, then restore it under its own name and, from
# the exported archive, under a new one.
echo checkpoint-source >"$DIR/scenario"
if pm run -d --name cgt-val-ckpt --cgroup-parent "$PARENT" --network none "$IMAGE" sleep 600 >/dev/null; then
	rm -f "$OUT/checkpoint-source.json"
	if pm container checkpoint --export "$DIR/scratch/ckpt.tar" cgt-val-ckpt >/dev/null 2>"$DIR/ckpt.err"; then
		echo restore >"$DIR/scenario"
		pm container restore cgt-val-ckpt >/dev/null 2>&1
		[ -e "$OUT/restore.json" ] || missing+=("restore")
		echo restore-import >"$DIR/scenario"
		pm container restore --import "$DIR/scratch/ckpt.tar" --name cgt-val-ckpt2 >/dev/null 2>&1
		[ -e "$OUT/restore-import.json" ] || missing+=("restore-import")
	else
		failed+=("checkpoint: $(tr '\n' ' ' <"$DIR/ckpt.err")")
		missing+=("restore" "restore-import")
	fi
fi

echo
echo "captured $(ls "$OUT"/*.json | wc -l) configs into $OUT"
for f in "${failed[@]}"; do echo "podman refused (config may still be captured): $f"; done
for m in "${missing[@]}"; do echo "NOT captured: $m"; done
[ ${#missing[@]} -eq 0 ]
