import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { killQuietly, processGone, waitFor } from '@flannel-ts/testing';
import { setParentDeathSignal } from '../src/index.js';
import { assertAddonBuilt, fixture, lineReader, repoRoot } from './helpers.js';

/** The parent pid of `pid`, from /proc (field 4 of stat). */
function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

interface Family {
  parent: ChildProcess;
  childPid: number;
  /** The child's next line of output. */
  nextLine: () => Promise<string>;
}

/** Test → intermediate parent → child (pdeathsig-child.ts armed with `signal`). */
async function startFamily(signal: string, pids: number[]): Promise<Family> {
  const parent = spawn(
    process.execPath,
    [fixture('intermediate.cjs'), '--import', 'tsx', fixture('pdeathsig-child.ts'), signal],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  pids.push(parent.pid!);
  const nextLine = lineReader(parent.stdout!);
  const [word, pid, ppid] = (await nextLine()).split(' ');
  expect(word).toBe('armed');
  pids.push(Number(pid));
  expect(Number(ppid)).toBe(parent.pid);
  return { parent, childPid: Number(pid), nextLine };
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
    await waitFor(() => processGone(childPid), { what: `child ${childPid} to die with its parent` });
  });

  test('control: without it the child outlives its parent', async () => {
    const { parent, childPid, nextLine } = await startFamily('none', pids);
    parent.kill('SIGKILL');
    // Reparented (the parent's last thread gone, not only its leader, which turns zombie first) means
    // the parent's exit is over: that is when a parent-death signal would have been sent.
    await waitFor(() => parentOf(childPid) !== parent.pid, { what: 'the child to be reparented' });
    process.kill(childPid, 'SIGUSR2');
    const [word, ppid] = (await nextLine()).split(' ');
    expect(word).toBe('alive');
    expect(Number(ppid)).not.toBe(parent.pid);
    expect(processGone(parent.pid!)).toBe(true);
  });

  test('rejects unknown signal names and kernel-invalid numbers', () => {
    expect(() => setParentDeathSignal('SIGNOPE' as NodeJS.Signals)).toThrow(/"SIGNOPE"/);
    expect(() => setParentDeathSignal(1000)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'prctl' }));
  });
});
