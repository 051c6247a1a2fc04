import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { writeFileAtomic } from '@flannel-ts/atomic-file';

/** Beside a CommonJS file: V8's code cache for it. */
export const CODE_CACHE_SUFFIX = '.v8cache';
/**
 * How a file for requireWithCodeCache begins: its module code is already wrapped in the function
 * Node's require would wrap it in, so that loading it copies no 0.75 MB string (~0.6 MiB of RSS).
 */
export const COMMONJS_FUNCTION_HEAD = '(function (exports, require, module, __filename, __dirname) {';

/** How a file was compiled: from its cache, or from source (no cache, or one V8 refused). */
export type CodeCacheUse = 'used' | 'missing' | 'rejected';

export interface Required {
  readonly exports: unknown;
  readonly cache: CodeCacheUse;
}

/**
 * Runs a CommonJS module's code, wrapped in a file as COMMONJS_FUNCTION_HEAD says, as Node's require
 * would (module, exports, require, __filename, __dirname) and returns its exports, compiled from
 * the V8 code cache beside it when V8 takes it: made by this Node under these flags, for a source of
 * this length. V8 checks nothing more of the source, so a cache must only ever lie beside the
 * content it was made from: name such files by their content hash. Without a usable cache the file
 * compiles as usual.
 */
export function requireWithCodeCache(file: string): Required {
  const source = readWrapped(file);
  const cachedData = readCache(file);
  const script = compile(file, source, cachedData);
  const cache: CodeCacheUse = cachedData === undefined ? 'missing' : script.cachedDataRejected ? 'rejected' : 'used';
  return { exports: run(script, file), cache };
}

/**
 * Runs `file` and writes its code cache beside it. Run it with the node flags of the program that
 * will load the file: V8 refuses a cache made under other flags. Functions that ran while the file
 * was evaluated (its module factories) are in the cache; the rest still compile lazily.
 */
export async function writeCodeCache(file: string): Promise<void> {
  const script = compile(file, readWrapped(file), undefined);
  run(script, file);
  await writeFileAtomic(file + CODE_CACHE_SUFFIX, script.createCachedData(), { what: 'writing code cache' });
}

function compile(file: string, source: string, cachedData: Buffer | undefined): vm.Script {
  return new vm.Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
}

function run(script: vm.Script, file: string): unknown {
  const module = { exports: {} as unknown };
  const fn = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;
  fn.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  return module.exports;
}

function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file + CODE_CACHE_SUFFIX);
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
