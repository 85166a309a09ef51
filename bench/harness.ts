// What the bench takes from the test bed, in one place: the runtimes and the cgroup mode
// namespaces (bed), the bundles and checkpoint/restore steps (scenario), and the private
// Podman and containerd beds. The bench measures the same steps the tests prove, so it
// reuses them rather than keeping copies; this is the only bench file that imports
// test/lib (test/unit/import-direction.test.ts holds it to that).

export { CGHERD_BIN, MODES, RUNTIMES, inModeArgv, parkingLeaves } from '../test/lib/bed/bed.js';
export { cleanupPrefix } from '../test/lib/bed/cleanup.js';
export { makeBundle, processArgs } from '../test/lib/scenario/bundle.js';
export { checkpointArgv, restoreArgv } from '../test/lib/scenario/cr-argv.js';
export { describeLoad, runLoad, type LoadReport } from '../test/lib/scenario/load.js';
export { bare, viaCgherd } from '../test/lib/scenario/scenario.js';
export { withPodmanBed, type PodmanBed } from '../test/lib/podman/podman.js';
export { startJavaContainer } from '../test/lib/podman/podman-seed.js';
export {
  CTD_IMAGE,
  withContainerdBed,
  type ContainerdBed,
} from '../test/lib/containerd/containerd.js';
export { CTD_RUNTIMES } from '../test/lib/containerd/ctd-runtimes.js';
export type { CtdRuntime } from '../test/lib/containerd/ctd-wrapper.js';
