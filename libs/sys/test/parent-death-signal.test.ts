import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { setParentDeathSignal } from '../src/index.js';
import { assertAddonBuilt, fixture, killQuietly, lineReader, processGone, repoRoot, waitUntil } from './helpers.js';

interface Family {
  parent: ChildProcess;
  childPid: number;
}

/** Test → intermediate parent → child (pdeathsig-child.ts armed with `signal`). */
async function startFamily(signal: string, pids: number[]): Promise<Family> {
  const parent = spawn(
    process.execPath,
    [fixture('intermediate.cjs'), '--import', 'tsx', fixture('pdeathsig-child.ts'), signal],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  pids.push(parent.pid!);
  const [word, pid, ppid] = (await lineReader(parent.stdout!)()).split(' ');
  expect(word).toBe('armed');
  pids.push(Number(pid));
  expect(Number(ppid)).toBe(parent.pid);
  return { parent, childPid: Number(pid) };
}

describe('setParentDeathSignal', () => {
  const pids: number[] = [];

  beforeAll(assertAddonBuilt);
  afterEach(() => {
    for (const pid of pids.splice(0)) killQuietly(pid);
  });

  test('the child dies when its parent is SIGKILLed', async () => {
    const { parent, childPid } = await startFamily('SIGTERM', pids);
    parent.kill('SIGKILL');
    await waitUntil(() => processGone(childPid), 5_000, `child ${childPid} to die with its parent`);
  });

  test('control: without it the child outlives its parent', async () => {
    const { parent, childPid } = await startFamily('none', pids);
    parent.kill('SIGKILL');
    await waitUntil(() => processGone(parent.pid!), 5_000, 'the parent to die');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(processGone(childPid)).toBe(false);
  });

  test('rejects unknown signal names and kernel-invalid numbers', () => {
    expect(() => setParentDeathSignal('SIGNOPE' as NodeJS.Signals)).toThrow(/"SIGNOPE"/);
    expect(() => setParentDeathSignal(1000)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'prctl' }));
  });
});
