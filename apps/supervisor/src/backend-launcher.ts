import { openSync, readSync, closeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { forkWithChannel, type SpawnedBackend } from './backend-process.js';

/**
 * A node process forked when the backend type is not known yet (a first boot: the state directory
 * remembers nothing), so that Node's own start overlaps etcd and the config. It waits for one
 * message naming a backend binary and runs that binary's code in itself; messages flanneld sends
 * before the backend listens are handed to it once it does.
 */
export interface BackendLauncher {
  readonly child: SpawnedBackend['child'];
  alive(): boolean;
  discard(): void;
  /**
   * Turns the launcher into the backend `binary`; undefined when that binary runs with other node
   * flags than the launcher (it is started as usual then, and the launcher discarded).
   */
  launch(binary: string, verbosity: number): SpawnedBackend | undefined;
}

// Plain JavaScript run with `node --input-type=module -e`: it is all the launcher is.
const LAUNCHER_SOURCE = `
const early = [];
let launched = false;
const exitOnDisconnect = () => process.exit(0);
const onMessage = (message) => {
  if (launched) {
    early.push(message);
    return;
  }
  const spec = message && message.launch;
  if (!spec || typeof spec.url !== 'string' || !Array.isArray(spec.argv)) {
    console.error('flanneld backend launcher: expected a launch message, got ' + JSON.stringify(message));
    process.exit(2);
  }
  launched = true;
  process.off('disconnect', exitOnDisconnect);
  process.argv = [process.argv[0], ...spec.argv];
  // ps and pgrep show the backend, not this code.
  process.title = spec.argv.join(' ');
  process.on('newListener', function handOver(event) {
    if (event !== 'message') return;
    process.off('newListener', handOver);
    process.off('message', onMessage);
    queueMicrotask(() => early.splice(0).forEach((m) => process.emit('message', m)));
  });
  import(spec.url).catch((error) => {
    console.error('flanneld backend launcher: cannot run ' + spec.argv[0] + ': ' + (error && error.stack || error));
    process.exit(1);
  });
};
process.on('message', onMessage);
process.on('disconnect', exitOnDisconnect);
`;

/** What flanneld forks before the config arrives: the last run's backend, or a launcher. */
export type EarlyBackend = SpawnedBackend | BackendLauncher;

/** Forks a launcher with flanneld's own node flags (the backends' too). */
export function startBackendLauncher(log: Logger): BackendLauncher {
  const flags = process.execArgv;
  const forked = forkWithChannel(process.execPath, [...flags, '--input-type=module', '-e', LAUNCHER_SOURCE], log);
  const { child } = forked;
  log.debug(`Started a backend launcher (pid ${child.pid}) while the backend type is not known`);
  return {
    child,
    alive: forked.alive,
    discard: forked.discard,
    launch(binary, verbosity) {
      const theirs = nodeFlagsOf(binary);
      if (theirs === undefined || theirs.join(' ') !== flags.join(' ')) {
        log.debug(`Not using the backend launcher: ${binary} runs with node flags ${theirs?.join(' ') ?? '(unknown)'}, the launcher with ${flags.join(' ')}`);
        return undefined;
      }
      child.send({ launch: { url: pathToFileURL(binary).href, argv: [binary, `-v=${verbosity}`] } });
      log.info(`Started backend ${binary} (pid ${child.pid})`);
      return { binary, ...forked };
    },
  };
}

/** The node flags in a script's `#!/usr/bin/env -S node …` (or `#!/path/to/node …`) line. */
export function nodeFlagsOf(file: string): string[] | undefined {
  let firstLine: string;
  try {
    const fd = openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(512);
      const read = readSync(fd, buffer, 0, buffer.length, 0);
      firstLine = buffer.subarray(0, read).toString('utf8').split('\n')[0]!;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const words = /^#!\s*(.*)$/.exec(firstLine)?.[1]?.trim().split(/\s+/);
  if (!words) return undefined;
  const node = words.findIndex((w) => w === 'node' || w.endsWith('/node'));
  return node < 0 ? undefined : words.slice(node + 1);
}
