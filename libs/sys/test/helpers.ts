import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { assertAddonBuilt as assertBuilt } from '@flannel-ts/testing';

export const sysRoot = fileURLToPath(new URL('..', import.meta.url));
export const repoRoot = resolve(sysRoot, '../..');
export const fixture = (name: string): string => resolve(sysRoot, 'test/fixtures', name);

/** For beforeAll: these tests exercise the real addon. */
export function assertAddonBuilt(): void {
  assertBuilt('sys', resolve(sysRoot, 'build/Release/sys.node'));
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
