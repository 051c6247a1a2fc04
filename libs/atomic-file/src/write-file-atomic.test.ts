import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './write-file-atomic.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('replaces the file with the given mode, creating the directory when asked, leaving no temp file', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'atomic-'));
    const file = path.join(dir, 'sub', 'state');
    await writeFileAtomic(file, 'one', { mode: 0o600, dirMode: 0o700 });
    await writeFileAtomic(file, 'two', { mode: 0o600, dirMode: 0o700 });
    expect(readFileSync(file, 'utf8')).toBe('two');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readdirSync(path.dirname(file))).toEqual(['state']);
  });

  it('writes bytes as given', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'atomic-'));
    const file = path.join(dir, 'blob');
    const bytes = Uint8Array.from([0, 0xff, 0xc3, 0x28, 10]);
    await writeFileAtomic(file, bytes);
    expect(new Uint8Array(readFileSync(file))).toEqual(bytes);
  });

  it('writes bytes given in parts one after the other, replacing a longer file', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'atomic-'));
    const file = path.join(dir, 'blob');
    writeFileSync(file, 'x'.repeat(100));
    const parts = [Uint8Array.from([1, 2]), new Uint8Array(0), Buffer.from('big'.repeat(100_000)), Uint8Array.from([9])];
    await writeFileAtomic(file, parts);
    expect(readFileSync(file).equals(Buffer.concat(parts))).toBe(true);
  });

  it('fails naming the path, without touching the old file or leaving a temp file', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'atomic-'));
    const blocker = path.join(dir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    await expect(writeFileAtomic(path.join(blocker, 'f'), 'c', { what: 'writing subnet file' })).rejects.toThrow(
      `writing subnet file ${path.join(blocker, 'f')}: `,
    );
    expect(readdirSync(dir)).toEqual(['not-a-dir']);
  });
});
