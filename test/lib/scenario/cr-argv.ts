// The lower runtime's argv for a checkpoint and a restore, as the scenarios, the heal test
// and the bench all pass it (after any global options such as --root).

/** `checkpoint` of `id` into `image`, CRIU's work files in `work`. */
export function checkpointArgv(
  id: string,
  image: string,
  work: string,
  leaveRunning = false,
): string[] {
  const leave = leaveRunning ? ['--leave-running'] : [];
  return ['checkpoint', '--image-path', image, '--work-path', work, ...leave, id];
}

/** A detached `restore` of `id` from `image`, with `bundle` as its bundle. */
export function restoreArgv(id: string, bundle: string, image: string, work: string): string[] {
  return [
    'restore',
    '--detach',
    '--bundle',
    bundle,
    '--image-path',
    image,
    '--work-path',
    work,
    id,
  ];
}
