import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { makeLabPrefix, pidExists, spawnChild, sweepLeftoverLabs, tempDir, waitFor } from '../src/index.js';
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

describe('sweepLeftoverLabs after a crashed run with pods', () => {
  it('deletes the pod namespaces, their processes and the output files of a lab whose owner was killed', async () => {
    const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
    const out = tempDir('orphan-lab');
    try {
      const stdout = `${out.path}/stdout`;
      const owner = spawnChild('node', ['--import', 'tsx', fileURLToPath(new URL('fixtures/orphan-lab.ts', import.meta.url))], {
        cwd: repoRoot,
        stdout,
        stderr: `${out.path}/stderr`,
      });
      const line = await waitFor(
        () => {
          if (owner.hasExited()) return 'exited';
          const printed = readFileSync(stdout, 'utf8');
          return printed.endsWith('\n') && printed;
        },
        { what: 'the orphan-lab fixture to build its lab' },
      );
      expect(line, readFileSync(`${out.path}/stderr`, 'utf8')).not.toBe('exited');
      const [prefix, pingPid, pingOutput] = line.trim().split(' ') as [string, string, string];
      const built = (await listNetns()).filter((ns) => ns.startsWith(`${prefix}-`));
      expect(built.sort()).toEqual([`${prefix}-h1`, `${prefix}-p1`, `${prefix}-sw`]);
      expect(pidExists(Number(pingPid))).toBe(true);

      owner.kill('SIGKILL'); // no clean-up runs: what a crashed test run leaves
      await owner.exited;
      await sweepLeftoverLabs(); // a parallel test file's createLab may sweep it first; the outcome is the same

      expect((await listNetns()).filter((ns) => ns.startsWith(`${prefix}-`))).toEqual([]);
      await waitFor(() => !pidExists(Number(pingPid)), { what: `the orphaned ping ${pingPid} to be gone` });
      expect(existsSync(dirname(pingOutput))).toBe(false);
      expect(existsSync(ownerFilePath(prefix))).toBe(false);
    } finally {
      await out.remove();
    }
  });
});
