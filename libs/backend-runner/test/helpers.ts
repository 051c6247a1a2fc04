import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SUPERVISOR_PID_ENV } from '@flannel-ts/backend-protocol';
import { assertAddonBuilt, forkWithIpc, HANG_GUARD_MS, type IpcSubprocess } from '@flannel-ts/testing';

export const libRoot = fileURLToPath(new URL('..', import.meta.url));
export const repoRoot = resolve(libRoot, '../..');
export const fixture = (name: string): string => resolve(libRoot, 'test/fixtures', name);
export const echoBackend = fixture('echo-backend.ts');

/** For beforeAll: the runner takes its lock and parent-death signal through the sys addon. */
export function assertSysAddonBuilt(): void {
  assertAddonBuilt('sys', resolve(repoRoot, 'libs/sys/build/Release/sys.node'));
}

/** The echo backend as flanneld would start it: forked with a JSON IPC channel, our pid in the env. */
export function forkEcho(options: { env?: Record<string, string>; stderrFile?: string } = {}): IpcSubprocess {
  return forkWithIpc(echoBackend, [], {
    cwd: repoRoot,
    env: { [SUPERVISOR_PID_ENV]: String(process.pid), ...options.env },
    ...(options.stderrFile === undefined ? {} : { stderr: { file: options.stderrFile } }),
  });
}

export interface RecordedCall {
  call: string;
  args: unknown;
  overlap: boolean;
  pid: number;
}

/** What the echo backend recorded in `<stateDir>/calls.ndjson`. */
export function recordedCalls(stateDir: string): RecordedCall[] {
  let text = '';
  try {
    text = readFileSync(join(stateDir, 'calls.ndjson'), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as RecordedCall);
}

/** Resolves with the exit of a subprocess within `timeoutMs`, or rejects naming what it waited for. */
export async function exitWithin(subprocess: IpcSubprocess, timeoutMs = HANG_GUARD_MS): Promise<{ exitCode?: number; signal?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`backend ${subprocess.pid} did not exit within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const result = await Promise.race([subprocess, timeout]);
    return {
      ...(result.exitCode === undefined ? {} : { exitCode: result.exitCode }),
      ...(result.signal === undefined ? {} : { signal: result.signal }),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** JSON log lines of a backend's stderr file, by message. */
export function logMessages(file: string): string[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => (JSON.parse(line) as { msg: string }).msg);
}
