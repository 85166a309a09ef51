// What the demo takes from the test bed, in one place: the runtimes (bed), the seed
// scenario's steps and its tree8 bundle, and the clean-up. The demo shows the steps the
// control and fix tests run, so it reuses them; this is the only demo file that imports
// test/lib (test/unit/import-direction.test.ts holds it to that).

export { RUNTIMES } from '../test/lib/bed/bed.js';
export { cleanupPrefix } from '../test/lib/bed/cleanup.js';
export { TREE8_SIZE } from '../test/lib/scenario/bundle.js';
export { Scenario, bare, viaCgherd, type RuntimeUnderTest } from '../test/lib/scenario/scenario.js';
