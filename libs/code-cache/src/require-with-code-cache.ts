import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { writeFileAtomic } from '@flannel-ts/atomic-file';
import { decodeCacheFile, encodeCacheFile } from './cache-file.js';

/** Beside a CommonJS file: V8's code cache for it. */
export const CODE_CACHE_SUFFIX = '.v8cache';
/**
 * How a file for requireWithCodeCache begins: its module code is already wrapped in the function
 * Node's require would wrap it in, so that loading it copies no 0.75 MB string (~0.6 MiB of RSS).
 */
export const COMMONJS_FUNCTION_HEAD = '(function (exports, require, module, __filename, __dirname) {';

/**
 * How a file was compiled: from a cache, or from source — no cache, or one refused (by V8: made by
 * another Node or under other flags; by us: not a cache file, or its checksum fails).
 */
export type CodeCacheUse = 'used' | 'missing' | 'rejected';

export interface Required {
  readonly exports: unknown;
  readonly cache: CodeCacheUse;
  /** The cache file used, or the last one refused. */
  readonly cacheFile?: string;
  /** The compiled file: its code cache, made later, holds what has run since (createCachedData). */
  readonly script: vm.Script;
}

/**
 * Runs a CommonJS module's code, wrapped in a file as COMMONJS_FUNCTION_HEAD says, as Node's require
 * would (module, exports, require, __filename, __dirname) and returns its exports, compiled from
 * the first of `caches` that exists and is intact, when V8 takes it: made by this Node under these
 * flags, for a source of this length. V8 checks nothing more of the source, so a cache must only
 * ever be made for the content it is used with: name such files by their content hash. Without a
 * usable cache the file compiles as usual.
 */
export function requireWithCodeCache(file: string, caches: readonly string[] = [file + CODE_CACHE_SUFFIX]): Required {
  const compiled = compileWithCodeCache(file, caches);
  return { ...compiled, exports: runModule(compiled.script, file) };
}

/** requireWithCodeCache without running the module: how V8 compiled it. */
export function compileWithCodeCache(file: string, caches: readonly string[] = [file + CODE_CACHE_SUFFIX]): Omit<Required, 'exports'> {
  const source = readWrapped(file);
  let refused: string | undefined;
  for (const cacheFile of caches) {
    const bytes = readIfPresent(cacheFile);
    if (bytes === undefined) continue;
    const cachedData = decodeCacheFile(bytes);
    if (cachedData === undefined) {
      refused = cacheFile;
      continue;
    }
    const script = compile(file, source, cachedData);
    return { cache: script.cachedDataRejected ? 'rejected' : 'used', cacheFile, script };
  }
  const script = compile(file, source, undefined);
  return refused === undefined ? { cache: 'missing', script } : { cache: 'rejected', cacheFile: refused, script };
}

/** A code cache file of `script` as it is now, in parts: every function compiled so far is in it. */
export function codeCacheOf(script: vm.Script): Uint8Array[] {
  return encodeCacheFile(script.createCachedData());
}

/**
 * Writes the code cache of `file` beside it. Run it with the node flags of the program that will
 * load the file: V8 refuses a cache made under other flags. With `run`, the file is evaluated first
 * and the functions that ran (its module factories) are in the cache too; without, only its top
 * level (for a program's main module, whose evaluation is the program). The rest compiles lazily.
 */
export async function writeCodeCache(file: string, { run: evaluate = true }: { readonly run?: boolean } = {}): Promise<void> {
  const script = compile(file, readWrapped(file), undefined);
  if (evaluate) runModule(script, file);
  await writeFileAtomic(file + CODE_CACHE_SUFFIX, codeCacheOf(script), { what: 'writing code cache' });
}

function compile(file: string, source: string, cachedData: Buffer | undefined): vm.Script {
  return new vm.Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
}

/** Runs the compiled module `file` as require would; returns its exports. */
export function runModule(script: vm.Script, file: string): unknown {
  const module = { exports: {} as unknown };
  const fn = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;
  fn.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  return module.exports;
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function readWrapped(file: string): string {
  const source = readFileSync(file, 'utf8');
  if (!source.startsWith(COMMONJS_FUNCTION_HEAD)) {
    throw new Error(`${file}: not a CommonJS module wrapped in its function (it should begin with ${COMMONJS_FUNCTION_HEAD})`);
  }
  return source;
}
