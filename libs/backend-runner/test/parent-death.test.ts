import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { killQuietly, processGone, tempDir, waitFor, wireInit, type TempDir } from '@flannel-ts/testing';
import { assertSysAddonBuilt, echoBackend, fixture, logMessages, repoRoot } from './helpers.js';

describe('a backend whose supervisor is SIGKILLed', () => {
  let dir: TempDir;
  const pids: number[] = [];

  beforeAll(assertSysAddonBuilt);
  beforeEach(() => {
    dir = tempDir('backend-runner-pdeath');
  });
  afterEach(async () => {
    for (const pid of pids.splice(0)) killQuietly(pid);
    await dir.remove();
  });

  test('dies by the parent-death signal even while its IPC channel stays open', async () => {
    const stderrFile = join(dir.path, 'backend.log');
    const stderr = openSync(stderrFile, 'a');
    const intermediate = spawn('python3', [fixture('pdeath-intermediate.py'), process.execPath, '--import', 'tsx', echoBackend], {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', stderr],
    });
    closeSync(stderr);
    pids.push(intermediate.pid!);
    intermediate.stdin!.end(`${JSON.stringify(wireInit(dir.path))}\n`);

    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the intermediate printed nothing within 20 s')), 20_000);
      createInterface({ input: intermediate.stdout! }).once('line', (text) => {
        clearTimeout(timer);
        resolve(text);
      });
    });
    const match = /^backend (\d+) holder (\d+) first (.*)$/.exec(line);
    expect(match, line).not.toBeNull();
    const [backendPid, holderPid] = [Number(match![1]), Number(match![2])];
    pids.push(backendPid, holderPid);
    expect(JSON.parse(match![3]!)).toMatchObject({ type: 'propose' });

    intermediate.kill('SIGKILL');
    await waitFor(() => processGone(backendPid), { what: `backend ${backendPid} to die with its parent` });

    // The holder still had the channel open, so the signal did it, not a disconnect.
    expect(processGone(holderPid)).toBe(false);
    const messages = logMessages(stderrFile);
    expect(messages).toContain('Received SIGTERM, stopping');
    expect(messages).not.toContain('The IPC channel to the supervisor closed, stopping');
    expect(messages.at(-1)).toBe('Exiting cleanly');
  });
});
