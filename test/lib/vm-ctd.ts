// The containerd row on the VM (vm-host.sh): containerd 1.6.20's runc v2 shim with
// SystemdCgroup (`ctr run --runc-systemd-cgroup`: the shim passes the global
// `--systemd-cgroup` to its runc binary), cgroupsPath `machine.slice:cgt:<id>`, so systemd
// makes `cgt-<id>.scope` for each container. The cycle is the containerd rows' (ctd-cycle.ts):
// run the tree8 busybox tree, then ROUNDS times `ctr c checkpoint --task --rw --image`
// (pause, checkpoint --leave-running, resume), remove, `ctr c restore --live --rw` under a
// new id, remove the consumed image (containerd 1.6.20's own bug), and a last checkpoint.
// Variant same-cgroup keeps the original's cgroupsPath (what ctr does); own-cgroup rewrites
// it to the new id on restore (what a Kubernetes restore does). Run inside the VM as a shell
// script; each step prints one `STEP …` line, and `CYCLE PASSED` closes a passing cycle.

/** `sh ctd.sh RUNTIME VARIANT ROUNDS BASE` inside the VM; /opt/cgt holds bb-oci.tar and
 *  tree8.sh. */
export const CTD_SYSTEMD_SH = `#!/bin/sh
# ctd.sh RUNTIME VARIANT ROUNDS BASE: the ctr cycle with SystemdCgroup (runc v2 shim,
# --runc-systemd-cgroup, cgroupsPath machine.slice:cgt:<id>). RUNTIME: a binary the shim
# runs as its runc. VARIANT: same-cgroup | own-cgroup. Prints one line per step.
rt=$1 variant=$2 rounds=$3 base=$4
img=docker.io/cgt/busybox:latest
c() { /usr/bin/ctr --namespace cgt "$@"; }
c image ls -q | grep -qx "$img" || c image import /opt/cgt/bb-oci.tar >/dev/null || exit 1
w=/var/lib/cgt-ctd/$base
mkdir -p /var/lib/cgt-ctd
cat >"$w" <<EOW
#!/bin/sh
cmd= bundle= prev=
for a; do case \\$prev in --bundle|-b) bundle=\\$a;; esac; case \\$a in create|restore) [ -z "\\$cmd" ] && cmd=\\$a;; esac; prev=\\$a; done
for id; do :; done
[ -n "\\$bundle" ] || bundle=\\$PWD
if [ "\\$cmd" = restore ] && [ "$variant" = own-cgroup ]; then
  node -e 'const fs=require("fs");const f=process.argv[1];const s=JSON.parse(fs.readFileSync(f));s.linux.cgroupsPath="machine.slice:cgt:"+process.argv[2];fs.writeFileSync(f,JSON.stringify(s))' "\\$bundle/config.json" "\\$id" || exit 1
fi
exec $rt "\\$@"
EOW
chmod 755 "$w"
# place ID EXPECTED: members of the init's tree, strays, init cgroup.
place() {
  init=$(c task ls | awk -v id="$1" '$1 == id { print $2 }')
  sleep 2
  n=0 s=0
  ig=$(sed -n 's/^0:://p' /proc/$init/cgroup)
  for d in /proc/[0-9]*; do
    q=\${d#/proc/}
    while [ "$q" -gt 1 ] && [ "$q" != "$init" ]; do q=$(cut -d' ' -f4 "/proc/$q/stat" 2>/dev/null || echo 1); done
    [ "$q" = "$init" ] || continue
    n=$((n + 1))
    g=$(sed -n 's/^0:://p' "$d/cgroup" 2>/dev/null)
    [ "$g" = "$ig" ] || s=$((s + 1))
  done
  echo "members=$n strays=$s init_cgroup=$ig expected=/machine.slice/cgt-$2.scope scope=$(systemctl is-active cgt-$2.scope)"
  case $ig in /machine.slice/cgt-$2.scope | /machine.slice/cgt-$2.scope/*) ;; *) echo "WRONG-CGROUP" ;; esac
  sp=/sys/fs/cgroup/machine.slice/cgt-$2.scope
  if [ "$ig" != "/machine.slice/cgt-$2.scope" ] && [ -n "$(cat $sp/cgroup.procs)" ]; then echo "INTERNAL-PROCS"; fi
}
rm_c() { c task kill -s KILL "$1" >/dev/null 2>&1; sleep 0.5; c task rm -f "$1" >/dev/null 2>&1; c container rm "$1" >/dev/null 2>&1; }
first=\${base}0
c run -d --null-io --runc-binary "$w" --runc-systemd-cgroup --cgroup "machine.slice:cgt:$first" $img "$first" \\
  /bin/sh -c "$(cat /opt/cgt/tree8.sh)" init || { echo "STEP run $first FAILED"; exit 1; }
echo "STEP run $first ok $(place $first $first)"
cur=$first
r=1
while :; do
  ref=cgt/ckpt-$cur:latest
  if ! out=$(c container checkpoint --task --rw --image "$cur" "$ref" 2>&1); then
    echo "STEP checkpoint $cur FAILED: $(echo "$out" | tail -n 2 | tr '\\n' ' ')"
    grep -h -E 'Error|Unseizable' /var/lib/containerd/io.containerd.runtime.v2.task/cgt/$cur/*.log /run/containerd/io.containerd.runtime.v2.task/cgt/$cur/*.log 2>/dev/null | grep -v RLIMIT | head -n 3
    rm_c "$cur"; exit 1
  fi
  echo "STEP checkpoint $cur ok"
  [ "$r" -le "$rounds" ] || break
  rm_c "$cur"
  next=$base$r
  if ! out=$(c container restore --live --rw "$next" "$ref" 2>&1); then
    echo "STEP restore $next FAILED: $(echo "$out" | tail -n 2 | tr '\\n' ' ')"; c image rm --sync "$ref" >/dev/null; rm_c "$next"; exit 1
  fi
  c image rm --sync "$ref" >/dev/null
  if [ "$variant" = own-cgroup ]; then e=$next; else e=$first; fi
  echo "STEP restore $next ok $(place $next $e)"
  cur=$next
  r=$((r + 1))
done
rm_c "$cur"
c image rm --sync "cgt/ckpt-$cur:latest" >/dev/null 2>&1
echo "CYCLE PASSED"
`;

export interface CtdVmStep {
  kind: string;
  id: string;
  ok: boolean;
  fields: Record<string, string>;
  text: string;
}

/** The STEP lines of a ctd.sh run (pure). */
export function parseCtdSteps(out: string): CtdVmStep[] {
  const steps: CtdVmStep[] = [];
  for (const line of out.split('\n')) {
    const m = /^STEP (\S+) (\S+) (ok|FAILED)(.*)$/.exec(line);
    if (!m) continue;
    const fields: Record<string, string> = {};
    for (const kv of (m[4] ?? '').matchAll(/(\w+)=(\S+)/g))
      fields[kv[1] as string] = kv[2] as string;
    steps.push({ kind: m[1] as string, id: m[2] as string, ok: m[3] === 'ok', fields, text: line });
  }
  return steps;
}
