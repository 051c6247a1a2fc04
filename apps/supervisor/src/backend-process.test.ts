import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SUPERVISOR_PID_ENV } from '@flannel-ts/backend-protocol';
import { createLogger } from '@flannel-ts/log';
import { tempDir, type TempDir } from '@flannel-ts/testing';
import { forkWithChannel } from './backend-process.js';

function logged() {
  const lines: string[] = [];
  const log = createLogger({ name: 't', verbosity: 0, destination: { write: (l: string) => lines.push((JSON.parse(l) as { msg: string }).msg) } });
  return { log, lines };
}

describe('forkWithChannel', () => {
  let tmp: TempDir | undefined;
  afterEach(async () => {
    await tmp?.remove();
    tmp = undefined;
  });

  /** An executable node script, started as backend binaries are (by their shebang). */
  async function script(body: string): Promise<string> {
    tmp ??= await tempDir('flannel-fork');
    const file = path.join(tmp.path, `child-${Math.random().toString(36).slice(2)}.cjs`);
    await writeFile(file, `#!${process.execPath}\n${body}\n`);
    await chmod(file, 0o755);
    return file;
  }

  it('passes only the backend environment, with the supervisor pid, and reports the exit code', async () => {
    const { log } = logged();
    const file = await script(
      `process.exit(process.env.${SUPERVISOR_PID_ENV} === String(process.ppid) && process.env.FLANNELD_ETCD_PASSWORD === undefined && typeof process.send === 'function' ? 7 : 1);`,
    );
    process.env.FLANNELD_ETCD_PASSWORD = 'secret';
    let forked;
    try {
      forked = forkWithChannel(file, [], log);
    } finally {
      delete process.env.FLANNELD_ETCD_PASSWORD;
    }
    expect(await forked.exited).toEqual({ exitCode: 7, signal: null });
    expect(forked.alive()).toBe(false);
  });

  it('settles a binary that cannot be started as never run, and logs why', async () => {
    const { log, lines } = logged();
    tmp ??= await tempDir('flannel-fork');
    const missing = path.join(tmp.path, 'no-such-backend');
    const forked = forkWithChannel(missing, [], log);
    expect(await forked.exited).toEqual({ exitCode: null, signal: null });
    expect(forked.alive()).toBe(false);
    expect(lines.some((l) => l.includes(missing) && l.includes('ENOENT'))).toBe(true);
  });

  it('discards a process with SIGTERM', async () => {
    const { log } = logged();
    const file = await script(`process.send({ up: true }); setInterval(() => {}, 1000);`);
    const forked = forkWithChannel(file, [], log);
    await new Promise((resolve) => forked.child.once('message', resolve));
    expect(forked.alive()).toBe(true);
    forked.discard();
    expect(await forked.exited).toEqual({ exitCode: null, signal: 'SIGTERM' });
    expect(forked.alive()).toBe(false);
  });
});
