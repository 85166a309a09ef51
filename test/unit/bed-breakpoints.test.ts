// The runner's closing mode line (test/lib/bed/breakpoints.ts), from verdict files as
// test/env/breakpoints.sh writes them.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  WRAPPER_MARK,
  describeBreakpointMode,
  isOurWrapper,
  parseVerdict,
} from '../lib/bed/breakpoints.js';

const BOOT = 'd83d8ca4-613f-45cc-bb04-951d4cfc24df';
const OURS = `#!/bin/sh\n${WRAPPER_MARK}\nexec '/usr/sbin/criu' "$@"\n`;

const probed = (verdict: string, extra = ''): string =>
  `verdict=${verdict}\nsource=probed\nboot_id=${BOOT}\ncriu=4.1.1\ncriu_path=/usr/sbin/criu\n` +
  `at=2026-12-06T05:42:35Z\nprobe_seconds=0.09\n${extra}`;

const files =
  (map: Record<string, string>) =>
  (path: string): string | undefined =>
    map[path];

test('parseVerdict reads the fields; no verdict line, no verdict', () => {
  assert.equal(parseVerdict(probed('missing', 'wrapper=/x/criu\n')), {
    verdict: 'missing',
    source: 'probed',
    bootId: BOOT,
    criu: '4.1.1',
    at: '2026-12-06T05:42:35Z',
    probeSeconds: '0.09',
    wrapper: '/x/criu',
  });
  assert.is(parseVerdict('source=probed\n'), undefined);
});

test('isOurWrapper: the mark on the second line only', () => {
  assert.ok(isOurWrapper(OURS));
  assert.not.ok(isOurWrapper(`${WRAPPER_MARK}\n#!/bin/sh\n`));
  assert.not.ok(isOurWrapper('#!/bin/sh\nexec /usr/sbin/criu "$@"\n'));
  assert.not.ok(isOurWrapper(undefined));
});

test('delivered, probed, no wrapper', () => {
  assert.is(
    describeBreakpointMode({
      verdictText: probed('delivered'),
      bootId: BOOT,
      wrapperText: files({}),
    }),
    'CRIU breakpoints: delivered (probed 2026-12-06T05:42:35Z in 0.09 s, CRIU 4.1.1)',
  );
});

test('missing names CRIU_FAULT=130 and the wrapper; a wrapper that is absent is said', () => {
  const text = probed('missing', 'wrapper=/usr/local/sbin/criu\n');
  assert.is(
    describeBreakpointMode({
      verdictText: text,
      bootId: BOOT,
      wrapperText: files({ '/usr/local/sbin/criu': OURS }),
    }),
    'CRIU breakpoints: missing: CRIU_FAULT=130 via /usr/local/sbin/criu ' +
      '(probed 2026-12-06T05:42:35Z in 0.09 s, CRIU 4.1.1)',
  );
  assert.match(
    describeBreakpointMode({ verdictText: text, bootId: BOOT, wrapperText: files({}) }),
    /; but \/usr\/local\/sbin\/criu is not the wrapper$/,
  );
});

test('forced, after a reboot, a stray wrapper, no file', () => {
  const forced = `verdict=missing\nsource=forced\nboot_id=other\ncriu=4.1.1\nat=T\nwrapper=/w/criu\n`;
  assert.is(
    describeBreakpointMode({
      verdictText: forced,
      bootId: BOOT,
      wrapperText: files({ '/w/criu': OURS }),
    }),
    'CRIU breakpoints: missing: CRIU_FAULT=130 via /w/criu ' +
      '(forced by CGHERD_TESTBED_BREAKPOINTS at T, CRIU 4.1.1); recorded before a reboot: run make testbed',
  );
  assert.match(
    describeBreakpointMode({
      verdictText: probed('delivered'),
      bootId: BOOT,
      wrapperText: files({ '/usr/local/sbin/criu': '#!/bin/sh\n' }),
    }),
    /^CRIU breakpoints: delivered \(.*\); but \/usr\/local\/sbin\/criu exists and shadows/,
  );
  assert.match(
    describeBreakpointMode({ verdictText: undefined, bootId: BOOT, wrapperText: files({}) }),
    /^CRIU breakpoints: unknown \(no verdict in \S+: run make testbed\)$/,
  );
});

test.run();
