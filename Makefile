# cgherd build, test, bench and packaging entry points.
# `make demo` and `make test` install what they need, so both work on a fresh machine.
SHELL := /bin/bash
NODE_MODULES_STAMP := node_modules/.package-lock.json

.PHONY: all deps testbed build validators lint format demo test test-unit test-integration test-e2e test-node18 test-vm bench package clean

all: build

# A fresh Debian 12 machine may have no Node at all: Debian's own nodejs 18 and npm are
# enough to build and run everything here.
$(NODE_MODULES_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "make: no npm here: installing Debian's nodejs and npm" >&2; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
	npm ci --no-audit --no-fund
	@touch $@

deps: $(NODE_MODULES_STAMP)

# Root-only: apt packages, CRIU, crun fixtures, rootfs. Cached by version under /var/cache/cgherd-testbed.
testbed:
	sh test/env/setup.sh

validators: deps
	node tools/gen-validators.mjs

# From an empty dist/, so that a deleted source (a test above all) never runs from an old
# build.
build: deps
	rm -rf dist
	node tools/gen-validators.mjs
	npx tsc -p tsconfig.json
	node tools/gen-launcher-lists.mjs
	node tools/bundle-runtime.mjs
	chmod +x bin/cgherd

lint: deps
	npx eslint .
	npx prettier --check .

format: deps
	npx prettier --write .

demo: testbed build
	node dist/demo/seed.js

# The whole suite, one closing line for three runs:
#   1. the Node 18 group inside the Debian 12 root and, beside it, the Debian 12 VM's Podman
#      seed and rootless Podman (one boot under TCG, about 4 min alone, 6.5 beside). qemu
#      keeps one core busy and the Node 18 files wait on crun and CRIU most of the time, so
#      side by side they take about as long as the slower alone, where one after the other
#      they took both;
#   2. the rest on the host's Node. The Node 18 group's slow files run only in the root:
#      they prove what they prove on the distributions' Node, and the host's Node runs the
#      same code in every other file. The runtime face's own signal and descriptor files
#      depend on Node and are quick, so they run on both, but for the slow one
#      (runtime-signal-hold, about 30 s of waiting phases), which the Node 18 run's spare
#      time beside the VM absorbs. The load file (20 containers x 5 rounds, about 90 s) runs
#      there too: cgherd under load on the distributions' Node, in the VM's shadow.
#      The host's files run HOST_JOBS at a time (see HOST_JOBS below): measured here, 332-352 s
#      for 3 at a time and 399 s for 2, where one after the other took 620 to 700 s.
#      It starts after the first run, not beside it: qemu keeps one of the two cores busy,
#      the Node 18 group holds files with timing windows of its own (runtime-signal-hold,
#      criu-watchdog, runtime-sigusr1 on the port 9229 the host's copy listens on too), and
#      the files that must run alone would not be alone.
# Every file the Node 18 group and the VM run list must have run there: one that never
# started (the root or the VM did not start, or it ran nothing) counts as a failure. Each
# file's wall time is on its closing `-- FILE: S s` line, the ten slowest before the tally.
# Two cores: lint runs beside the build (it reads neither dist/ nor the generated
# validators): 25 s for both, was 30. The unit group beside the Node 18 group was measured
# too and did not help (the Node 18 files took as much longer as the unit group took).
test: testbed
	$(MAKE) --no-print-directory -j2 build lint
	bash packaging/build.sh
	@mkdir -p build && rm -f build/test-node18.log build/test-vm.log
	node dist/test/run.js --list $(NODE18_TESTS) > build/test-node18.expected
	node dist/test/run.js --list $(VM_IN_MAKE_TEST) > build/test-vm.expected
	@echo "Node 18 group (Debian 12 root) and the VM's Podman seed, side by side, about 6.5 min: build/test-node18.log, build/test-vm.log"
	-node dist/test/run.js $(VM_IN_MAKE_TEST) > build/test-vm.log 2>&1 & vm=$$!; \
	  $(NODE18_RUN) > build/test-node18.log 2>&1; wait $$vm; true
	@sed 's/^/[node18] /' build/test-node18.log
	@sed 's/^/[vm] /' build/test-vm.log
	@echo "not in make test (make test-vm, about 6 min more under TCG): $(VM_ONLY_TESTS)"
	node dist/test/run.js $(HOST_SKIP) --jobs $(HOST_JOBS) \
	  --include-tally build/test-node18.log --expect-files build/test-node18.expected \
	  --include-tally build/test-vm.log --expect-files build/test-vm.expected

test-unit: build
	node dist/test/run.js unit

test-integration: testbed build
	node dist/test/run.js integration

test-e2e: testbed build
	node dist/test/run.js e2e $(VM_SKIP)

# The Debian 12 VM's tests (cgroup v2 with every controller) boot a VM each under TCG.
# e2e/podman-vm-seed (the Podman seed over crun 1.8.1 with its control, about 3.5 min) is
# in make test; e2e/containerd-vm-systemd (about 6 min more) would take make test past its
# time budget, so it runs in `make test-vm` only.
VM_ONLY_TESTS := e2e/containerd-vm-systemd
VM_SKIP := $(addprefix --skip ,$(VM_ONLY_TESTS))
VM_IN_MAKE_TEST := e2e --filter e2e/podman-vm-seed
# What the host's run of `make test` leaves to the other two runs.
NODE18_ONLY := integration/herd-new-id integration/criu-watchdog \
	integration/criu-no-breakpoints integration/op-package.test \
	integration/op-install-podman e2e/podman-seed-fix integration/runtime-signal-hold \
	integration/load.test
HOST_SKIP := $(VM_SKIP) $(addprefix --skip ,e2e/podman-vm-seed $(NODE18_ONLY))
# The host's files wait on crun, CRIU and the engines far more than they compute, so they
# run side by side, HOST_JOBS at a time, but for those that must run alone or one at a
# time in their lane (Podman, containerd): test/lib/runner/lanes.ts lists them and why.
HOST_JOBS := 3

# What depends on the Node that runs cgherd, once more with Debian 12's own nodejs 18,
# inside a Debian 12 root that holds the test bed and bookworm's nodejs
# (test/env/deb12-testbed.sh; made once, a few minutes, then unpacked per run in seconds):
#   - the runtime face's forwarding: inherited descriptors, held and relayed signals
#     (runtime-fds, runtime-defer-signal, runtime-sigusr1);
#   - one herd through the hooks on v1 and v2 (herd-new-id: restore under a new id, five
#     cycles);
#   - the CRIU hooks: the breakpoint hook (criu-no-breakpoints) and the watchdog (timers,
#     kills, freezer: criu-watchdog);
#   - the operator face, oclif on Node 18: the .deb installed and run (op-package; `package`
#     comes first, so it reuses the host's build/*.deb: the root has no npm), and `install
#     podman` against the real Podman (op-install-podman);
#   - one seed through Podman (podman-seed-fix).
# The herd's other scenarios (cgroup namespace, fork storm, safety) and the operator's
# other commands are the same code on any Node and run once, on the host's.
NODE18_TESTS := integration e2e --filter integration/herd-new-id \
	--filter integration/runtime-fds --filter integration/runtime-defer-signal \
	--filter integration/runtime-sigusr1 --filter integration/runtime-signal- \
	--filter integration/criu-no-breakpoints --filter integration/criu-watchdog \
	--filter integration/op-package.test --filter integration/op-install-podman \
	--filter e2e/podman-seed-fix --filter integration/load.test

NODE18_RUN = sh test/env/deb12-testbed.sh run . sh -c 'echo "cgherd runs on /usr/bin/node $$(/usr/bin/node --version), Debian $$(cat /etc/debian_version), nodejs $$(dpkg-query -W -f "\$${Version}" nodejs)"; exec node dist/test/run.js $(NODE18_TESTS)'

test-node18: testbed package
	$(NODE18_RUN)

# The tests in the Debian 12 VM alone (test/env/vm-host.sh: qemu under TCG, Debian's
# kernel, systemd, cgroup v2 with every controller): e2e/podman-vm-seed (about 3.5 min here,
# also in make test) and e2e/containerd-vm-systemd (about 6 min, only here), each booting
# its own VM; a first image build adds about 1.5 min.
test-vm: testbed build package
	sh test/env/vm-host.sh prepare
	node dist/test/run.js e2e --filter e2e/podman-vm- --filter e2e/containerd-vm-

# Every section on the host's Node, then the sections that measure a goal of issue 21 once
# more on Debian 12's nodejs 18, inside the Debian 12 root (the same dist/).
bench: testbed build
	node dist/bench/main.js
	sh test/env/deb12-testbed.sh run . sh -c 'echo; echo "== Node 18 inside the Debian 12 root: /usr/bin/node $$(/usr/bin/node --version)"; exec node dist/bench/main.js --goals'

package: build
	bash packaging/build.sh

clean:
	rm -rf dist build
