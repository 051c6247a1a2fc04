import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { compiledFromSaved, runningMain, saveMainCodeCache, type CodeCachedMain } from '@flannel-ts/code-cache';
import { errorText } from '@flannel-ts/retry';
import { codeCacheDir } from './code-cache-dir.js';

/** Time for the code the daemon runs once it has joined (the first watch events) to be compiled too. */
const SAVE_DELAY_MS = 1_000;
let asked = false;

/**
 * Once per process, when the daemon has joined its (first) network or listens: says how its code was
 * compiled (-v=1) and, unless it was from the cache a run saved in the state directory, saves one
 * there a second later, with every function compiled by then. The next start compiles only what
 * had not run. Nothing to do when the daemon does not run from its bundle (tests from source).
 */
export function saveCodeCacheSoon(stateDirRoot: string, log: Logger): void {
  if (asked) return;
  asked = true;
  const main = runningMain();
  if (!main) return;
  log.debug(`Code compiled ${describe(main)}`);
  const dir = codeCacheDir(stateDirRoot);
  if (compiledFromSaved(dir)) return;
  // Unreferenced: a daemon told to stop does not wait for it.
  setTimeout(() => void save(dir, log), SAVE_DELAY_MS).unref();
}

function describe(main: CodeCachedMain): string {
  if (main.cache === 'used') return `from the code cache ${main.cacheFile}`;
  if (main.cache === 'rejected') return `from source: the code cache ${main.cacheFile} is not for this Node, its flags or this build, or is damaged`;
  return 'from source: no code cache';
}

/** Never throws: a cache not saved only makes the next start compile more. */
async function save(dir: string, log: Logger): Promise<void> {
  const started = performance.now();
  try {
    const saved = await saveMainCodeCache(dir);
    if (saved) log.debug(`Saved the code cache (${Math.round(saved.bytes / 1024)} KiB) to ${saved.file} in ${Math.round(performance.now() - started)} ms`);
  } catch (err) {
    log.debug(`Not saving the code cache: ${errorText(err)}`);
  }
}
