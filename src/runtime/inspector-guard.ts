// Imported first by the runtime face: Node opens its inspector (a debugger, as root, on
// 127.0.0.1:9229) when the process gets SIGUSR1 and has no listener for it; any local user
// who can signal the process could then connect. A listener for the whole life of the
// process keeps it closed (measured: with one, `kill -USR1` opens no port). While the
// lower runtime runs, forward.ts relays SIGUSR1 to it like the other signals, except
// during a restore (held: hooks/restore-signals.ts); before and after that, it is ignored.

process.on('SIGUSR1', () => undefined);
