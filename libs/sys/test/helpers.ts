import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const sysRoot = fileURLToPath(new URL('..', import.meta.url));
export const repoRoot = resolve(sysRoot, '../..');
export const fixture = (name: string): string => resolve(sysRoot, 'test/fixtures', name);

/** For beforeAll: these tests exercise the real addon, so say plainly how to get it. */
export function assertAddonBuilt(): void {
  const addon = resolve(sysRoot, 'build/Release/sys.node');
  if (!existsSync(addon)) {
    throw new Error(`the sys addon is not built (${addon} is missing): run "NX_DAEMON=false npx nx run sys:build" first`);
  }
}

/** Runs a TypeScript fixture in a fresh node (through tsx), from the repo root. */
export function spawnTs(script: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: repoRoot, ...options });
}

/** Returns a function yielding the stream's next line; it rejects at end of stream or after `timeoutMs`. */
export function lineReader(stream: Readable, timeoutMs = 20_000): () => Promise<string> {
  const iterator = createInterface({ input: stream })[Symbol.asyncIterator]();
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no line within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const next = await Promise.race([iterator.next(), timeout]);
      if (next.done) throw new Error('stream ended before the expected line');
      return next.value;
    } finally {
      clearTimeout(timer);
    }
  };
}

/** True once `pid` no longer runs: gone, or a zombie nobody has reaped yet. */
export function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return true;
  }
}

export async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Kills a process we started, by pid, ignoring "already gone". */
export function killQuietly(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
