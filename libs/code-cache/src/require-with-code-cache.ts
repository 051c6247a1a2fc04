import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { writeFileAtomic } from '@flannel-ts/atomic-file';

/** Beside a CommonJS file: the digest of its source, then V8's code cache for it. */
export const CODE_CACHE_SUFFIX = '.v8cache';
const DIGEST_BYTES = 32;

/** How a file was compiled: from its cache, or from source (no cache, another source's, or refused by V8). */
export type CodeCacheUse = 'used' | 'missing' | 'stale' | 'rejected';

export interface Required {
  readonly exports: unknown;
  readonly cache: CodeCacheUse;
}

/**
 * Runs a CommonJS file as Node's require would (module, exports, require, __filename, __dirname)
 * and returns its exports, compiled from the V8 code cache beside it when that cache was made from
 * this very source (V8 itself compares only the source's length) by this Node with these flags
 * (V8 checks those and refuses it otherwise). Without a usable cache the file compiles as usual.
 */
export function requireWithCodeCache(file: string): Required {
  const source = readFileSync(file, 'utf8');
  const digest = sha256(source);
  const cached = readCache(file, digest);
  const script = compile(file, source, cached.data);
  const cache: CodeCacheUse = cached.data === undefined ? cached.why : script.cachedDataRejected ? 'rejected' : 'used';
  return { exports: run(script, file), cache };
}

/**
 * Runs `file` and writes its code cache beside it. Run it with the node flags of the program that
 * will load the file: V8 refuses a cache made under other flags. Functions that ran while the file
 * was evaluated (its module factories) are in the cache; the rest still compile lazily.
 */
export async function writeCodeCache(file: string): Promise<void> {
  const source = readFileSync(file, 'utf8');
  const script = compile(file, source, undefined);
  run(script, file);
  await writeFileAtomic(file + CODE_CACHE_SUFFIX, Buffer.concat([sha256(source), script.createCachedData()]), { what: 'writing code cache' });
}

function compile(file: string, source: string, cachedData: Buffer | undefined): vm.Script {
  return new vm.Script(wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}) });
}

function run(script: vm.Script, file: string): unknown {
  const module = { exports: {} as unknown };
  const fn = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;
  fn.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  return module.exports;
}

function readCache(file: string, digest: Buffer): { data: Buffer; why?: never } | { data?: never; why: 'missing' | 'stale' } {
  let cache: Buffer;
  try {
    cache = readFileSync(file + CODE_CACHE_SUFFIX);
  } catch {
    return { why: 'missing' };
  }
  return cache.length > DIGEST_BYTES && cache.subarray(0, DIGEST_BYTES).equals(digest) ? { data: cache.subarray(DIGEST_BYTES) } : { why: 'stale' };
}

function sha256(source: string): Buffer {
  return createHash('sha256').update(source).digest();
}

/** The function a CommonJS module's code runs in, opened on the first line so line numbers stay the file's. */
function wrap(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) { ${source}\n})`;
}
