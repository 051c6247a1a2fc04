import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type Options, type ResultPromise } from 'execa';
import { HANG_GUARD_MS, waitFor } from '@flannel-ts/testing';
import { SUPERVISOR_PID_ENV } from '../src/index.js';

export const libRoot = fileURLToPath(new URL('..', import.meta.url));
export const repoRoot = resolve(libRoot, '../..');
export const fixture = (name: string): string => resolve(libRoot, 'test/fixtures', name);
export const echoBackend = fixture('echo-backend.ts');

/** For beforeAll: the runner takes its lock and parent-death signal through the sys addon. */
export function assertSysAddonBuilt(): void {
  const addon = resolve(repoRoot, 'libs/sys/build/Release/sys.node');
  if (!existsSync(addon)) {
    throw new Error(`the sys addon is not built (${addon} is missing): run "NX_DAEMON=false npx nx run sys:build" first`);
  }
}

export type IpcSubprocess = ResultPromise<{ ipc: true; serialization: 'json'; reject: false; buffer: false }>;

/** The echo backend as flanneld would start it: forked with a JSON IPC channel, our pid in the env. */
export function forkEcho(options: { env?: Record<string, string>; stderrFile?: string } = {}): IpcSubprocess {
  const execaOptions: Options = {
    cwd: repoRoot,
    ipc: true,
    serialization: 'json',
    reject: false,
    buffer: false,
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: options.stderrFile === undefined ? 'ignore' : { file: options.stderrFile },
    env: { [SUPERVISOR_PID_ENV]: String(process.pid), ...options.env },
    forceKillAfterDelay: 2_000,
  };
  return execa(process.execPath, ['--import', 'tsx', echoBackend], execaOptions) as IpcSubprocess;
}

/** The wire-form init for a daemon whose state lives in `stateDir`; `backend` is the echo backend's settings. */
export function wireInit(stateDir: string, backend: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    v: 1,
    type: 'init',
    config: {
      network: '10.244.0.0/16',
      subnetLen: 24,
      subnetMin: '10.244.1.0',
      subnetMax: '10.244.255.0',
      backend: { Type: 'echo', ...backend },
    },
    iface: { name: 'eth0', index: 2, mtu: 1500, ifaceAddr: '192.0.2.2', extAddr: '192.0.2.2' },
    stateDir,
    daemonId: 'test',
    verbosity: 0,
  };
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

export async function waitUntilGone(pid: number, timeoutMs: number, what: string): Promise<void> {
  await waitFor(() => processGone(pid), { timeoutMs, what });
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
