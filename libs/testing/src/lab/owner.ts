import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pidExists, signalPid } from '../child-process.js';
import { waitFor } from '../wait-for.js';
import { removeLeftoverScratchDirs } from './lab-scratch.js';
import { deleteNetns, listNetns, netnsPids } from './netns.js';
import { isLabNamespace } from './names.js';

const OWNER_SUFFIX = '.owner';

/** Where labs record their owner: <tmpdir>/flannel-ts-lab/<prefix>.owner. */
export const labOwnerDir = (): string => join(tmpdir(), 'flannel-ts-lab');
export const ownerFilePath = (prefix: string): string => join(labOwnerDir(), `${prefix}${OWNER_SUFFIX}`);

/**
 * Records this process as the lab's owner: "<pid> <start time>". The start time (from
 * /proc/<pid>/stat) tells a recycled PID apart from the owner; a file holding only a PID works too.
 */
export function writeOwnerFile(prefix: string, pid = process.pid): string {
  mkdirSync(labOwnerDir(), { recursive: true });
  const path = ownerFilePath(prefix);
  const startTime = processStartTime(pid);
  writeFileSync(path, startTime === undefined ? `${pid}\n` : `${pid} ${startTime}\n`);
  return path;
}

export function removeOwnerFile(prefix: string): void {
  rmSync(ownerFilePath(prefix), { force: true });
}

export function isOwnerAlive(content: string): boolean {
  const [pidText, startTime] = content.trim().split(/\s+/);
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (!pidExists(pid)) return false;
  return startTime === undefined || processStartTime(pid) === startTime;
}

/**
 * Deletes labs left behind by test runs that died: for every owner file whose owner process is
 * gone, SIGKILLs what still runs in that lab's namespaces (pods included: they share the prefix),
 * deletes them and the lab's output files, and removes the owner file.
 * Returns the prefixes it swept.
 */
export async function sweepLeftoverLabs(): Promise<string[]> {
  let files: string[];
  try {
    files = readdirSync(labOwnerDir()).filter((file) => file.endsWith(OWNER_SUFFIX));
  } catch {
    return [];
  }
  const swept: string[] = [];
  let namespaces: string[] | undefined;
  for (const file of files) {
    const prefix = file.slice(0, -OWNER_SUFFIX.length);
    let content: string;
    try {
      content = readFileSync(join(labOwnerDir(), file), 'utf8');
    } catch {
      continue; // removed by its owner or another sweeper meanwhile
    }
    if (isOwnerAlive(content)) continue;
    namespaces ??= await listNetns();
    const leftovers = namespaces.filter((ns) => isLabNamespace(prefix, ns));
    await killProcessesIn(leftovers);
    for (const ns of leftovers) await deleteNetns(ns);
    removeLeftoverScratchDirs(prefix);
    removeOwnerFile(prefix);
    swept.push(prefix);
  }
  return swept;
}

/** SIGKILLs every process inside these (lab-owned) namespaces and waits briefly until they are gone. */
export async function killProcessesIn(namespaces: readonly string[]): Promise<void> {
  const pids = (await Promise.all(namespaces.map(netnsPids))).flat();
  for (const pid of pids) signalPid(pid, 'SIGKILL');
  if (pids.length === 0) return;
  await waitFor(() => pids.every((pid) => !pidExists(pid)), {
    timeoutMs: 5_000,
    what: `processes ${pids.join(', ')} in namespaces ${namespaces.join(', ')} to exit`,
  }).catch(() => undefined); // a zombie whose parent is not us may linger; the namespaces go anyway
}

function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); fields after the ")" that closes the command name start at field 3.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
