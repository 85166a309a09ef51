// The environment the lower runtime gets: the one cgherd was called with. bin/cgherd moves
// every NODE_* variable and OPENSSL_CONF aside as CGHERD_STASHED_<name> before it starts
// Node as root, because Node acts on them (NODE_OPTIONS=--require loads code, OPENSSL_CONF
// loads engines). Node never reads the stashed copies; they go back under their own names
// here, for the child only, so the lower runtime sees the caller's environment unchanged.

export const STASH_PREFIX = 'CGHERD_STASHED_';

const STASHED_NAME = /^(NODE_[A-Za-z0-9_]*|OPENSSL_CONF)$/;

export function callerEnv(env: Readonly<NodeJS.ProcessEnv>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith(STASH_PREFIX)) {
      const name = key.slice(STASH_PREFIX.length);
      if (STASHED_NAME.test(name)) {
        out[name] = value;
        continue;
      }
    }
    if (out[key] === undefined) out[key] = value;
  }
  return out;
}
