# cgherd build, test, bench and packaging entry points.
# `make demo` and `make test` install what they need, so both work on a fresh machine.
SHELL := /bin/bash
NODE_MODULES_STAMP := node_modules/.package-lock.json

.PHONY: all deps testbed build validators lint format demo test test-unit test-integration test-e2e bench package clean

all: build

$(NODE_MODULES_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: $(NODE_MODULES_STAMP)

# Root-only: apt packages, CRIU, crun fixtures, rootfs. Cached by version under /var/cache/cgherd-testbed.
testbed:
	sh test/env/setup.sh

validators: deps
	node tools/gen-validators.mjs

build: deps validators
	npx tsc -p tsconfig.json
	node tools/bundle-runtime.mjs
	chmod +x bin/cgherd

lint: deps
	npx eslint .
	npx prettier --check .

format: deps
	npx prettier --write .

demo: testbed build
	node dist/demo/seed.js

test: testbed build lint
	node dist/test/run.js

test-unit: build
	node dist/test/run.js unit

test-integration: testbed build
	node dist/test/run.js integration

test-e2e: testbed build
	node dist/test/run.js e2e

bench: testbed build
	node dist/bench/main.js

package: build
	bash packaging/build.sh

clean:
	rm -rf dist build
