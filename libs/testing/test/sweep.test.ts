import { existsSync, mkdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeLabPrefix, pidExists, spawnChild, sweepLeftoverLabs, waitFor } from '../src/index.js';
import { addNetns, deleteNetns, listNetns } from '../src/lab/netns.js';
import { labOwnerDir, ownerFilePath, writeOwnerFile } from '../src/lab/owner.js';

const created: string[] = [];
async function fakeLab(prefix: string): Promise<string[]> {
  const namespaces = [`${prefix}-sw`, `${prefix}-h1`];
  for (const ns of namespaces) {
    created.push(ns);
    await addNetns(ns);
  }
  return namespaces;
}

async function deadPid(): Promise<number> {
  const child = spawnChild('true', []);
  await child.exited;
  return child.pid;
}

describe('sweepLeftoverLabs', () => {
  afterEach(async () => {
    for (const ns of created.splice(0)) await deleteNetns(ns);
  });

  it('deletes the namespaces, processes and owner file of a lab whose owner is dead', async () => {
    const owner = await deadPid();
    expect(pidExists(owner)).toBe(false);
    const prefix = makeLabPrefix(owner);
    const namespaces = await fakeLab(prefix);
    mkdirSync(labOwnerDir(), { recursive: true });
    writeFileSync(ownerFilePath(prefix), `${owner}\n`);
    const orphan = spawnChild('ip', ['netns', 'exec', namespaces[1]!, 'sleep', '30']);
    await waitFor(() => readlinkSync(`/proc/${orphan.pid}/exe`).endsWith('/sleep'), {
      timeoutMs: 2_000,
      what: 'the orphan to be running inside the namespace',
    });

    // Outcomes, not the returned list: a lab being created by a parallel test file sweeps too.
    await sweepLeftoverLabs();

    const exit = await orphan.exited;
    expect(exit.signal).toBe('SIGKILL');
    const remaining = (await listNetns()).filter((ns) => ns.startsWith(`${prefix}-`));
    expect(remaining).toEqual([]);
    expect(existsSync(ownerFilePath(prefix))).toBe(false);
  });

  it('leaves a lab whose owner is alive alone, and one whose PID was recycled goes', async () => {
    const alive = makeLabPrefix();
    await fakeLab(alive);
    writeOwnerFile(alive);
    const recycled = makeLabPrefix();
    await fakeLab(recycled);
    writeFileSync(ownerFilePath(recycled), `${process.pid} 1\n`); // our PID, someone else's start time

    expect(await sweepLeftoverLabs()).not.toContain(alive);

    const names = await listNetns();
    expect(names).toContain(`${alive}-sw`);
    expect(names.filter((ns) => ns.startsWith(`${recycled}-`))).toEqual([]);
    expect(existsSync(ownerFilePath(alive))).toBe(true);
    rmSync(ownerFilePath(alive));
  });
});
