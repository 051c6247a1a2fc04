import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitError } from '@flannel-ts/cli';
import { prepareStateDir } from './state-dir.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'state-dir-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function failure(flagValue: string, stateDir: string): Promise<ExitError> {
  const err: unknown = await prepareStateDir(flagValue, stateDir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ExitError);
  return err as ExitError;
}

describe('prepareStateDir', () => {
  it('creates the directory and its missing parents with mode 0700', async () => {
    const root = path.join(dir, 'a', 'b');
    await prepareStateDir(root, path.join(root, 'id'));
    for (const created of [path.join(dir, 'a'), root, path.join(root, 'id')]) {
      expect(statSync(created).mode & 0o777).toBe(0o700);
    }
  });

  it('accepts a directory that exists, or a link to one', async () => {
    mkdirSync(path.join(dir, 'real'));
    symlinkSync(path.join(dir, 'real'), path.join(dir, 'link'));
    await prepareStateDir(dir, path.join(dir, 'real'));
    await prepareStateDir(dir, path.join(dir, 'link'));
  });

  it('names --state-dir, the directory and ENOTDIR for a path below a file', async () => {
    writeFileSync(path.join(dir, 'file'), '');
    const root = path.join(dir, 'file', 'flannel');
    const err = await failure(root, path.join(root, 'id'));
    expect(err.exitCode).toBe(1);
    expect(err.message).toBe(
      `--state-dir ${root}: cannot use ${root}/id: ENOTDIR: not a directory, mkdir '${root}/id'`,
    );
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ENOTDIR');
  });

  it('keeps mkdir’s EEXIST for a file where the directory should be', async () => {
    writeFileSync(path.join(dir, 'id'), '');
    const err = await failure(dir, path.join(dir, 'id'));
    expect(err.message).toBe(`--state-dir ${dir}: cannot use ${dir}/id: EEXIST: file already exists, mkdir '${dir}/id'`);
  });
});
