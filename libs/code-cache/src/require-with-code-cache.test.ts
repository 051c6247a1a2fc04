import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from '@flannel-ts/testing';
import { CODE_CACHE_SUFFIX, COMMONJS_FUNCTION_HEAD, requireWithCodeCache } from './require-with-code-cache.js';

const FIXTURE = fileURLToPath(new URL('./code-cache.fixture.ts', import.meta.url));

/** Writes the cache, or requires the file, in a node process of its own (a fresh V8 isolate). */
function inProcess(mode: 'write' | 'require', file: string, nodeFlags: readonly string[] = [], caches: readonly string[] = []): { cache: string; cacheFile?: string; answer: number } {
  const out = execFileSync(process.execPath, [...nodeFlags, '--import', 'tsx', FIXTURE, mode, file, ...caches], { encoding: 'utf8' });
  return mode === 'write' ? { cache: '', answer: 0 } : (JSON.parse(out) as { cache: string; answer: number });
}

/** A module's code as the build writes it: inside the function require would run it in. */
const wrapped = (body: string) => `${COMMONJS_FUNCTION_HEAD}\n${body}\n})\n`;

const SOURCE = wrapped(`'use strict';
const os = require('node:os');
function answer() { return 40 + 2; }
module.exports = { answer, platform: os.platform(), file: __filename, dir: __dirname, self: this === exports };`);

describe('requireWithCodeCache', () => {
  let tmp: TempDir;
  let file: string;
  beforeEach(async () => {
    tmp = await tempDir('flannel-code-cache');
    file = path.join(tmp.path, 'module.cjs');
    await writeFile(file, SOURCE);
  });
  afterEach(() => tmp.remove());

  it('runs a CommonJS file as require would, compiling from source when no cache lies beside it', () => {
    const { exports, cache } = requireWithCodeCache(file);
    expect(cache).toBe('missing');
    const m = exports as { answer(): number; platform: string; file: string; dir: string; self: boolean };
    expect(m.answer()).toBe(42);
    expect(m.platform).toBe(process.platform);
    expect([m.file, m.dir, m.self]).toEqual([file, tmp.path, true]);
  });

  it('compiles from the cache writeCodeCache made', () => {
    inProcess('write', file);
    expect(inProcess('require', file)).toEqual({ cache: 'used', cacheFile: file + CODE_CACHE_SUFFIX, answer: 42 });
  });

  it('compiles from source under other V8 flags than the cache was made with (V8 refuses it)', () => {
    inProcess('write', file);
    expect(inProcess('require', file, ['--max-semi-space-size=1'])).toEqual({ cache: 'rejected', cacheFile: file + CODE_CACHE_SUFFIX, answer: 42 });
  });

  it('compiles from source when the cache is not a cache file', async () => {
    inProcess('write', file);
    const cacheFile = file + CODE_CACHE_SUFFIX;
    const data = await readFile(cacheFile);
    await writeFile(cacheFile, Buffer.alloc(data.length, 7));
    expect(inProcess('require', file)).toEqual({ cache: 'rejected', cacheFile, answer: 42 });
  });

  it('never hands V8 a cache damaged on disk (V8 would run what it reads: a crash, or worse)', async () => {
    inProcess('write', file);
    const cacheFile = file + CODE_CACHE_SUFFIX;
    const data = await readFile(cacheFile);
    for (const at of [Math.floor(data.length / 3), Math.floor(data.length / 2), data.length - 8]) {
      const damaged = Buffer.from(data);
      damaged[at]! ^= 0x55;
      await writeFile(cacheFile, damaged);
      expect(inProcess('require', file), `byte ${at}`).toEqual({ cache: 'rejected', cacheFile, answer: 42 });
    }
  });

  it('compiles from the first intact cache of those it is given', async () => {
    inProcess('write', file);
    const good = file + CODE_CACHE_SUFFIX;
    const damaged = path.join(tmp.path, 'damaged.v8cache');
    const data = await readFile(good);
    await writeFile(damaged, Buffer.concat([data, Buffer.from([1])]));
    const absent = path.join(tmp.path, 'absent.v8cache');
    expect(inProcess('require', file, [], [absent, damaged, good])).toEqual({ cache: 'used', cacheFile: good, answer: 42 });
  });

  it('keeps the file’s line numbers in stack traces', async () => {
    await writeFile(file, wrapped(`'use strict';\n\nmodule.exports = () => new Error('here');`));
    const make = requireWithCodeCache(file).exports as () => Error;
    expect(make().stack).toContain(`${file}:4:`);
  });

  it('refuses a file that is not wrapped, naming it', async () => {
    await writeFile(file, `module.exports = 1;\n`);
    expect(() => requireWithCodeCache(file)).toThrow(`${file}: not a CommonJS module wrapped in its function`);
  });
});
