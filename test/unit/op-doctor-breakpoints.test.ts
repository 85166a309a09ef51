// `cgherd doctor`'s breakpoint findings, word for word where a user acts on them.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BreakpointAnswer } from '../../src/criu/breakpoint-check.js';
import type { ProbeRecord } from '../../src/criu/breakpoint-verdict.js';
import { breakpointFindings } from '../../src/operator/doctor/breakpoints.js';
import { findingLines } from '../../src/operator/doctor/findings.js';

const RECORD: ProbeRecord = {
  bootId: 'b',
  criuPath: '/usr/sbin/criu',
  criuStamp: 's',
  criuVersion: '4.1.1',
  verdict: 'missing',
  detail: 'a probe dump hung for 10 s; with CRIU_FAULT=130 it passed in 90 ms',
  ms: 10090,
  probedAt: '2026-12-06T05:00:00.000Z',
};

function find(answer: BreakpointAnswer) {
  return breakpointFindings({ criuPath: '/usr/sbin/criu', answer });
}

test('missing breakpoints, CRIU 4.1.1: the warning, the version, and what to do', () => {
  const [f, ...rest] = find({ record: RECORD, source: 'probe' });
  assert.equal(rest, []);
  assert.is(f?.severity, 'warning');
  assert.is(
    f?.summary,
    'this host does not deliver hardware breakpoints; CRIU < 4.2 hangs in every dump ' +
      '(CRIU 4.1.1 at /usr/sbin/criu) (probed now: a probe dump hung for 10 s; with ' +
      'CRIU_FAULT=130 it passed in 90 ms)',
  );
  assert.is(
    f?.advice,
    'upgrade CRIU to 4.2 or later, which detects such hosts itself; meanwhile cgherd hands ' +
      'CRIU the no-breakpoint switch (CRIU_FAULT=130) on every checkpoint and restore, but ' +
      'bare crun or Podman without cgherd still hang',
  );
  const lines = findingLines([f as NonNullable<typeof f>]);
  assert.match(lines[0] ?? '', /^\[WARN\]\s+this host does not deliver hardware breakpoints/);
  assert.match(lines[1] ?? '', '-> upgrade CRIU to 4.2');
});

test('missing breakpoints, CRIU 4.2.1: handled by CRIU itself', () => {
  const [f] = find({ record: { ...RECORD, criuVersion: '4.2.1' }, source: 'cache' });
  assert.is(f?.severity, 'ok');
  assert.match(f?.summary ?? '', 'does not deliver hardware breakpoints; CRIU 4.2.1');
  assert.match(f?.summary ?? '', 'detects that itself');
  assert.match(f?.summary ?? '', 'probe cached for this boot, 2026-12-06T05:00:00.000Z');
  assert.match(f?.advice ?? '', 'handled by CRIU itself');
});

test('delivered: ok; a failing dump: a warning with what failed', () => {
  const [ok] = find({
    record: { ...RECORD, verdict: 'delivered', detail: 'a probe dump passed in 42 ms' },
    source: 'probe',
  });
  assert.is(ok?.severity, 'ok');
  assert.is(
    ok?.summary,
    'this host delivers hardware breakpoints to CRIU 4.1.1 at /usr/sbin/criu (probed now: a probe dump passed in 42 ms)',
  );
  const [bad] = find({
    record: { ...RECORD, verdict: 'dump-fails', detail: 'criu dump exited 1: Error (x): y' },
    source: 'probe',
  });
  assert.is(bad?.severity, 'warning');
  assert.match(bad?.summary ?? '', 'a probe dump of a plain process with CRIU 4.1.1');
  assert.match(bad?.summary ?? '', 'criu dump exited 1: Error (x): y');
});

test('the cache: ignored (with why) and not writable are said; no CRIU, no finding', () => {
  const ignored = find({
    record: { ...RECORD, verdict: 'delivered' },
    source: 'probe',
    cacheNote: '/run/cgherd/criu-breakpoints.json: it is owned by uid 65534, not by root',
  });
  assert.is(ignored[1]?.severity, 'info');
  assert.match(
    ignored[1]?.summary ?? '',
    'not used: /run/cgherd/criu-breakpoints.json: it is owned by uid 65534',
  );
  const unwritable = find({
    record: RECORD,
    source: 'probe',
    writeNote: '/run/cgherd is writable by others (mode 777)',
  });
  assert.is(unwritable[1]?.severity, 'warning');
  assert.match(unwritable[1]?.summary ?? '', 'not cached: /run/cgherd is writable by others');
  assert.equal(breakpointFindings({ criuPath: undefined, answer: undefined }), []);
  const [none] = find({ record: undefined, source: 'none', none: 'criu is gone' });
  assert.is(none?.summary, 'hardware breakpoints: not probed (criu is gone)');
});

test.run();
