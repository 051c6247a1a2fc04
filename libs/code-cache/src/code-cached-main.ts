import { lstatSync, type Stats } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type vm from 'node:vm';
import { writeFileAtomic } from '@flannel-ts/atomic-file';
import { CODE_CACHE_SUFFIX, codeCacheOf, compileWithCodeCache, runModule, type CodeCacheUse } from './require-with-code-cache.js';

/**
 * A program's main module, a wrapped CommonJS file named by its content hash, run from a code
 * cache: the one a run of this program saved in a directory of its own (every function that ran
 * until it saved is compiled in it), else the build's beside the file (its top level only).
 */
export interface CodeCachedMain {
  /** The main module's file. */
  readonly file: string;
  readonly cache: CodeCacheUse;
  /** The cache file used, or the last one refused. */
  readonly cacheFile?: string;
}

export interface SavedCodeCache {
  readonly file: string;
  readonly bytes: number;
}

interface Handoff extends CodeCachedMain {
  readonly script: vm.Script;
}

// The entry and the main module are bundled apart, each with its own copy of this module: the
// entry leaves the compiled script where the main module's copy finds it.
const HANDOFF = Symbol.for('@flannel-ts/code-cache/main');
type WithHandoff = typeof globalThis & { [HANDOFF]?: Handoff };

/** Temp files of an interrupted save older than this are removed by the next save. */
const STALE_TEMP_MS = 60_000;

/** The main module could not be read or compiled (a broken installation): the message names the file. */
export class MainLoadError extends Error {}

/**
 * Runs the main module `file`, compiled from the cache a run saved in `savedDir` (see
 * saveMainCodeCache) or else from the build's. Its own copy of this module then knows how it was
 * compiled (runningMain) and can save a cache. Throws MainLoadError when the file cannot be read or
 * compiled; what the module itself throws passes through.
 */
export function runCodeCachedMain(file: string, savedDir: string | undefined): void {
  const caches = [...trustedSavedCache(savedDir, file), file + CODE_CACHE_SUFFIX];
  let compiled;
  try {
    compiled = compileWithCodeCache(file, caches);
  } catch (err) {
    const reason = (err as Error).message;
    throw new MainLoadError(reason.includes(file) ? reason : `${file}: ${reason}`, { cause: err });
  }
  (globalThis as WithHandoff)[HANDOFF] = { file, ...compiled };
  runModule(compiled.script, file);
}

/** How this process's main module was compiled; undefined when runCodeCachedMain did not start it. */
export function runningMain(): CodeCachedMain | undefined {
  const handoff = (globalThis as WithHandoff)[HANDOFF];
  if (!handoff) return undefined;
  const { file, cache, cacheFile } = handoff;
  return { file, cache, ...(cacheFile === undefined ? {} : { cacheFile }) };
}

/**
 * Where runs save the cache of `file` in `dir`: named by the file (its content hash) and by this
 * Node and its flags, so that programs run under other flags keep caches of their own.
 */
export function savedCacheFile(dir: string, file: string): string {
  return path.join(dir, `${path.basename(file)}.${nodeTag()}${CODE_CACHE_SUFFIX}`);
}

/** Whether this process's main module was compiled from the cache a run saved in `dir`. */
export function compiledFromSaved(dir: string): boolean {
  const main = runningMain();
  return main?.cache === 'used' && main.cacheFile === savedCacheFile(dir, main.file);
}

/**
 * Saves the code cache of the running main module in `dir` (made with mode 0700 when missing), with
 * every function compiled so far, and removes the caches this program's other builds saved there.
 * Undefined when runCodeCachedMain did not start this process.
 */
export async function saveMainCodeCache(dir: string): Promise<SavedCodeCache | undefined> {
  const handoff = (globalThis as WithHandoff)[HANDOFF];
  if (!handoff) return undefined;
  const problem = savedDirProblem(dir);
  if (problem !== undefined) throw new Error(problem);
  const file = savedCacheFile(dir, handoff.file);
  const parts = codeCacheOf(handoff.script);
  await writeFileAtomic(file, parts, { mode: 0o600, dirMode: 0o700, what: 'saving code cache' });
  await removeOthers(dir, handoff.file);
  return { file, bytes: parts.reduce((sum, part) => sum + part.length, 0) };
}

/** The cache a run saved in `dir` for `file`, when there is one and only we could have written it. */
function trustedSavedCache(dir: string | undefined, file: string): string[] {
  if (dir === undefined || savedDirProblem(dir) !== undefined) return [];
  const saved = savedCacheFile(dir, file);
  return onlyOurs(saved) ? [saved] : [];
}

/**
 * Why caches must not be saved in or used from `dir`; undefined when it is missing (a save makes it)
 * or ours alone. A cache is code V8 runs: one that anybody but this process's user could have
 * written is never used, nor is one saved where it could be replaced.
 */
function savedDirProblem(dir: string): string | undefined {
  let stats: Stats;
  try {
    stats = lstatSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return `${dir}: ${(err as Error).message}`;
  }
  if (!stats.isDirectory()) return `${dir} is not a directory`;
  return ours(stats) ? undefined : `${dir} is not ours alone (owner uid ${stats.uid}, mode ${(stats.mode & 0o777).toString(8).padStart(4, '0')})`;
}

/** A regular file of ours alone (a link or a file others may write is not used). */
function onlyOurs(file: string): boolean {
  try {
    const stats = lstatSync(file);
    return stats.isFile() && ours(stats);
  } catch {
    return false;
  }
}

function ours(stats: Stats): boolean {
  return stats.uid === process.getuid?.() && (stats.mode & 0o022) === 0;
}

/**
 * Other builds' caches of the program (`<name>-<HASH>.cjs.<tag>.v8cache`; this build's under other
 * node flags stay), and temp files of interrupted saves.
 */
async function removeOthers(dir: string, mainFile: string): Promise<void> {
  const build = path.basename(mainFile);
  const program = /^(.+)-[0-9A-Z]+\.cjs$/.exec(build)?.[1];
  if (program === undefined) return;
  const now = Date.now();
  for (const name of await readdir(dir)) {
    const full = path.join(dir, name);
    if (name.startsWith(`${program}-`) && name.endsWith(CODE_CACHE_SUFFIX) && !name.startsWith(`${build}.`)) await rm(full, { force: true });
    else if (name.startsWith(`.${program}-`) && name.endsWith('.tmp')) {
      const modified = (await stat(full).catch(() => undefined))?.mtimeMs;
      if (modified !== undefined && now - modified > STALE_TEMP_MS) await rm(full, { force: true });
    }
  }
}

/** FNV-1a of the Node version, architecture and node flags: what V8 keys a cache to, shortened. */
function nodeTag(): string {
  let hash = 0x811c9dc5;
  for (const ch of `${process.version} ${process.arch} ${process.execArgv.join(' ')}`) {
    hash ^= ch.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
