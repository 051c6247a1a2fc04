import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { killQuietly } from '@flannel-ts/testing';
import { flock, lockFile } from '../src/index.js';
import { assertAddonBuilt, fixture, lineReader, spawnTs } from './helpers.js';

interface TryLockResult {
  locked: boolean;
  pid: number;
}

/** Another node process, using the built addon, tries to take the lock and reports. */
async function tryLockInChild(path: string): Promise<TryLockResult> {
  const child = spawnTs(fixture('try-lock.ts'), [path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await lineReader(child.stdout!)();
  const [code] = (await once(child, 'exit')) as [number | null];
  expect(code).toBe(0);
  return JSON.parse(line) as TryLockResult;
}

function processHoldsFile(pid: number, path: string): boolean {
  return readdirSync(`/proc/${pid}/fd`).some((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`) === path;
    } catch {
      return false; // closed meanwhile
    }
  });
}

describe('flock and lockFile', () => {
  let dir: string;
  let path: string;
  const started: ChildProcess[] = [];

  beforeAll(assertAddonBuilt);
  beforeEach(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'sys-flock-')));
    path = join(dir, 'daemon.lock');
  });
  afterEach(() => {
    for (const child of started.splice(0)) killQuietly(child.pid);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a second process cannot take the lock until it is released', async () => {
    const lock = lockFile(path);
    expect(lock).toBeDefined();
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);
    expect(statSync(path).mode & 0o777).toBe(0o644 & ~process.umask());

    expect((await tryLockInChild(path)).locked).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);

    lock!.release();
    lock!.release(); // idempotent
    const second = await tryLockInChild(path);
    expect(second.locked).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(`${second.pid}\n`);
  });

  test('a killed holder frees the lock', async () => {
    const holder = spawnTs(fixture('try-lock.ts'), [path, 'hold'], { stdio: ['ignore', 'pipe', 'inherit'] });
    started.push(holder);
    expect(JSON.parse(await lineReader(holder.stdout!)())).toEqual({ locked: true, pid: holder.pid });
    expect(lockFile(path)).toBeUndefined();

    holder.kill('SIGKILL');
    await once(holder, 'exit');
    const lock = lockFile(path);
    expect(lock).toBeDefined();
    lock!.release();
  });

  test('two opens in one process contend as well (locks belong to open files)', () => {
    const lock = lockFile(path)!;
    expect(lockFile(path)).toBeUndefined();
    lock.release();
  });

  test('modes: shared locks coexist, exclusive excludes, unlock frees', () => {
    const a = openSync(path, 'w');
    const b = openSync(path, 'r');
    try {
      expect(flock(a, 'shared', false)).toBe(true);
      expect(flock(b, 'shared', false)).toBe(true);
      expect(flock(b, 'unlock', false)).toBe(true);
      expect(flock(b, 'exclusive', false)).toBe(false);
      expect(flock(a, 'unlock', false)).toBe(true);
      expect(flock(b, 'exclusive', true)).toBe(true);
      expect(flock(a, 'shared', false)).toBe(false);
    } finally {
      closeSync(a);
      closeSync(b);
    }
  });

  test('errors carry errno details', () => {
    const fd = openSync(path, 'w');
    closeSync(fd);
    expect(() => flock(fd, 'exclusive', false)).toThrow(
      expect.objectContaining({ code: 'EBADF', syscall: 'flock', message: expect.stringContaining(`fd ${fd}`) }),
    );
    expect(() => flock(-1, 'exclusive', false)).toThrow(TypeError);
    expect(() => flock(0, 'bogus' as 'shared', false)).toThrow(/'bogus'/);
  });

  test('lockFile names the path when it cannot open it', () => {
    const missing = join(dir, 'no-such-dir', 'x.lock');
    expect(() => lockFile(missing)).toThrow(expect.objectContaining({ code: 'ENOENT', path: missing }));
  });

  test('the lock file descriptor does not leak into child processes', async () => {
    const lock = lockFile(path)!;
    try {
      expect(processHoldsFile(process.pid, path)).toBe(true);

      const child = spawn('sleep', ['30'], { stdio: 'ignore' });
      started.push(child);
      await once(child, 'spawn');
      expect(processHoldsFile(child.pid!, path)).toBe(false);

      // Control: the same check does see the file when we hand the fd over on purpose.
      const control = spawn('sleep', ['30'], { stdio: ['ignore', 'ignore', 'ignore', lock.fd] });
      started.push(control);
      await once(control, 'spawn');
      expect(processHoldsFile(control.pid!, path)).toBe(true);
    } finally {
      lock.release();
    }
  });
});
