import { closeSync, openSync, readFileSync, readSync, realpathSync } from 'node:fs';
import path from 'node:path';
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

// Plain CommonJS run with `node -e`: it is all the launcher is. A CommonJS backend is require()d, so
// the process never loads Node's ES module loader (1.4 MiB of peak RSS); an ES module one is import()ed.
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
  if (!spec || typeof spec.url !== 'string' || typeof spec.commonjs !== 'boolean' || !Array.isArray(spec.argv)) {
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
  const file = spec.argv[0];
  (spec.commonjs ? Promise.resolve().then(() => require(file)) : import(spec.url)).catch((error) => {
    console.error('flanneld backend launcher: cannot run ' + file + ': ' + (error && error.stack || error));
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
  const forked = forkWithChannel(process.execPath, [...flags, '-e', LAUNCHER_SOURCE], log);
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
      child.send({ launch: { url: pathToFileURL(binary).href, commonjs: isCommonJs(binary), argv: [binary, `-v=${verbosity}`] } });
      log.info(`Started backend ${binary} (pid ${child.pid})`);
      return { binary, ...forked };
    },
  };
}

/**
 * Whether Node loads `file` as CommonJS because the nearest package.json says `"type": "commonjs"`
 * (as the build writes beside a CommonJS bundle); anything else is left to import().
 */
export function isCommonJs(file: string): boolean {
  let dir: string;
  try {
    dir = path.dirname(realpathSync(file));
  } catch {
    return false;
  }
  for (;;) {
    let text: string | undefined;
    try {
      text = readFileSync(path.join(dir, 'package.json'), 'utf8');
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      try {
        return (JSON.parse(text) as { type?: unknown }).type === 'commonjs';
      } catch {
        return false;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
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
