import { run, runChecked } from '../run.js';

/** Names from `ip netns list` (lines look like "ft1a2b-sw (id: 3)" or just "ft1a2b-sw"). */
export async function listNetns(): Promise<string[]> {
  const stdout = await runChecked('ip', ['netns', 'list']);
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name !== '');
}

export async function addNetns(name: string): Promise<void> {
  await runChecked('ip', ['netns', 'add', name]);
}

/** Deletes a namespace; one that is already gone is fine. */
export async function deleteNetns(name: string): Promise<void> {
  const result = await run('ip', ['netns', 'delete', name]);
  if (result.exitCode === 0) return;
  if ((await listNetns()).includes(name)) {
    throw new Error(`ip netns delete ${name} failed: ${result.stderr.trim()}`);
  }
}

/** PIDs of processes whose network namespace is `name`. */
export async function netnsPids(name: string): Promise<number[]> {
  const result = await run('ip', ['netns', 'pids', name]);
  if (result.exitCode !== 0) return [];
  return result.stdout
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}

/** Runs `ip -n <ns> -batch -` with one ip command per line (fewer processes than one call each). */
export async function ipBatch(ns: string, commands: readonly string[]): Promise<void> {
  await runChecked('ip', ['-n', ns, '-batch', '-'], { input: `${commands.join('\n')}\n` });
}
