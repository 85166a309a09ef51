// What a lower runtime can and cannot do, from what it says of itself (`--version`, read by
// version.ts): doctor judges a host by these.

import type { RuntimeIdentity } from './version.js';

/** crun lists its build features (`+SYSTEMD +CRIU …`); runc always speaks to systemd. */
export function runtimeHasSystemd(rt: RuntimeIdentity | undefined): boolean | undefined {
  if (!rt) return undefined;
  if (rt.name === 'runc') return true;
  const raw = rt.parsed?.raw;
  if (rt.name !== 'crun' || raw === undefined || !/^[+-]\w/m.test(raw)) return undefined;
  return /(^|\s)\+SYSTEMD(\s|$)/m.test(raw);
}

/** Measured with crun 1.21: "cgroups in hybrid mode not supported, drop all controllers
 *  from cgroupv2". No container starts on such a host, so no checkpoint either. */
export function refusesHybridWithControllers(runtimeName: string | undefined): boolean {
  return runtimeName === 'crun';
}
