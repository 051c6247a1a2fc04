import { performance } from 'node:perf_hooks';
import { compiledFromSaved, runningMain, saveMainCodeCache, type CodeCachedMain } from './code-cached-main.js';

/** Time for what a program runs right after its start (a daemon's first events) to be compiled too. */
const SAVE_DELAY_MS = 1_000;
let asked = false;

/**
 * Once per process, when the program has done what each start does (a daemon joined): says how its
 * main module was compiled and, unless from the cache saved in `dir`, saves one there a second
 * later with every function compiled by then, so that the next start compiles only what had not
 * run. `report` gets one line each time; `aroundSave` runs before the save and once it is over
 * (the program may give back memory: what its start left, then what the save took). Nothing to do
 * for a program not started by runCodeCachedMain (its tests, from source).
 */
export function saveMainCodeCacheSoon(dir: string, report: (line: string) => void, aroundSave?: () => void): void {
  if (asked) return;
  asked = true;
  const main = runningMain();
  if (!main) return;
  report(`Code compiled ${describe(main)}`);
  if (compiledFromSaved(dir)) return;
  // Unreferenced: a program told to stop does not wait for it.
  setTimeout(() => {
    aroundSave?.();
    void save(dir, report).then(aroundSave);
  }, SAVE_DELAY_MS).unref();
}

function describe(main: CodeCachedMain): string {
  if (main.cache === 'used') return `from the code cache ${main.cacheFile}`;
  if (main.cache === 'rejected') return `from source: the code cache ${main.cacheFile} is not for this Node, its flags or this build, or is damaged`;
  return 'from source: no code cache';
}

/** Never throws: a cache not saved only makes the next start compile more. */
async function save(dir: string, report: (line: string) => void): Promise<void> {
  const started = performance.now();
  try {
    const saved = await saveMainCodeCache(dir);
    if (saved) report(`Saved the code cache (${Math.round(saved.bytes / 1024)} KiB) to ${saved.file} in ${Math.round(performance.now() - started)} ms`);
  } catch (err) {
    report(`Not saving the code cache: ${(err as Error).message}`);
  }
}
