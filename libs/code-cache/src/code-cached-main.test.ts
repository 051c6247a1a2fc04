import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, type TempDir } from '@flannel-ts/testing';
import { MainLoadError, runCodeCachedMain } from './code-cached-main.js';
import { CODE_CACHE_SUFFIX, COMMONJS_FUNCTION_HEAD } from './require-with-code-cache.js';

const FIXTURE = fileURLToPath(new URL('./code-cache.fixture.ts', import.meta.url));

interface MainRun {
  cache: string;
  cacheFile?: string;
  fromSaved: boolean;
  saved?: string;
  error?: string;
  answer: number;
}

/** A fresh process runs `file` as its main module, saving the cache in `dir` as a program would. */
function runMain(file: string, dir: string): MainRun {
  return JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', FIXTURE, 'main', file, dir], { encoding: 'utf8' })) as MainRun;
}

describe('a main module run from a code cache', () => {
  let tmp: TempDir;
  let file: string;
  let dir: string;
  beforeEach(async () => {
    tmp = await tempDir('flannel-code-cached-main');
    file = path.join(tmp.path, 'prog-0123456789AB.cjs');
    dir = path.join(tmp.path, 'state', 'code-cache');
    await writeFile(file, `${COMMONJS_FUNCTION_HEAD}\n'use strict';\nfunction answer() { return 6 * 7; }\nglobalThis.answer = answer();\n})\n`);
  });
  afterEach(() => tmp.remove());

  it('compiles from the build’s cache until a run saved one, then from the saved one', () => {
    execFileSync(process.execPath, ['--import', 'tsx', FIXTURE, 'write-compiled', file]);
    const first = runMain(file, dir);
    expect(first).toMatchObject({ cache: 'used', cacheFile: file + CODE_CACHE_SUFFIX, fromSaved: false, answer: 42 });
    expect(path.dirname(first.saved!)).toBe(dir);
    expect(path.basename(first.saved!)).toMatch(/^prog-0123456789AB\.cjs\.[0-9a-f]{8}\.v8cache$/);
    expect(runMain(file, dir)).toMatchObject({ cache: 'used', cacheFile: first.saved, fromSaved: true, answer: 42 });
  });

  it('runs from source without any cache, and saves one', () => {
    const first = runMain(file, dir);
    expect(first).toMatchObject({ cache: 'missing', fromSaved: false, answer: 42 });
    expect(existsSync(first.saved!)).toBe(true);
  });

  it('takes the build’s cache when the saved one is damaged, and saves a good one again', async () => {
    execFileSync(process.execPath, ['--import', 'tsx', FIXTURE, 'write-compiled', file]);
    const saved = runMain(file, dir).saved!;
    const data = await readFile(saved);
    data[Math.floor(data.length / 2)]! ^= 0x55;
    await writeFile(saved, data);
    expect(runMain(file, dir)).toMatchObject({ cache: 'used', cacheFile: file + CODE_CACHE_SUFFIX, fromSaved: false, saved, answer: 42 });
    expect(runMain(file, dir)).toMatchObject({ cache: 'used', cacheFile: saved, fromSaved: true });
  });

  it('never compiles from a saved cache others could have written, nor saves one where they could', async () => {
    execFileSync(process.execPath, ['--import', 'tsx', FIXTURE, 'write-compiled', file]);
    const saved = runMain(file, dir).saved!;
    const build = file + CODE_CACHE_SUFFIX;
    await chmod(saved, 0o666);
    expect(runMain(file, dir)).toMatchObject({ cache: 'used', cacheFile: build, fromSaved: false, saved });
    expect((await stat(saved)).mode & 0o777).toBe(0o600);
    await chmod(dir, 0o777);
    const refused = runMain(file, dir);
    expect(refused).toMatchObject({ cache: 'used', cacheFile: build, error: `${dir} is not ours alone (owner uid ${process.getuid!()}, mode 0777)` });
    expect(refused.saved).toBeUndefined();
    await chmod(dir, 0o700);
    expect(runMain(file, dir)).toMatchObject({ cache: 'used', cacheFile: saved, fromSaved: true });
  });

  it('refuses a main module it cannot read or that is not wrapped with MainLoadError naming the file', async () => {
    const missing = path.join(tmp.path, 'gone-0123456789AB.cjs');
    expect(() => runCodeCachedMain(missing, dir)).toThrow(MainLoadError);
    expect(() => runCodeCachedMain(missing, dir)).toThrow(`no such file or directory, open '${missing}'`);
    await writeFile(file, 'module.exports = 1;\n');
    expect(() => runCodeCachedMain(file, dir)).toThrow(new RegExp(`^${file}: not a CommonJS module wrapped`));
  });

  it('removes what the program’s other builds saved there, and an interrupted save’s old temp file; nothing else', async () => {
    const saved = runMain(file, dir).saved!;
    const others = ['prog-AAAAAAAAAAAA.cjs.0badf00d.v8cache', '.prog-AAAAAAAAAAAA.cjs.0badf00d.v8cache.123.tmp'];
    const kept = [
      'prog-0123456789AB.cjs.0badf00d.v8cache', // this build under other node flags
      'prog-BBBBBBBBBBBB.cjs.0badf00d.v8cache.old',
      'other-AAAAAAAAAAAA.cjs.0badf00d.v8cache',
      '.prog-CCCCCCCCCCCC.cjs.0badf00d.v8cache.456.tmp',
    ];
    for (const name of [...others, ...kept]) await writeFile(path.join(dir, name), 'x');
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(path.join(dir, others[1]!), hourAgo, hourAgo);
    // A fresh temp file may be another daemon's save in progress: kept.
    runMain(file, dir);
    expect((await readdir(dir)).sort()).toEqual([...kept, path.basename(saved)].sort());
  });
});
