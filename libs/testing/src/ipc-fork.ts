import { execa, type ResultPromise } from 'execa';

export type IpcSubprocess = ResultPromise<{ ipc: true; serialization: 'json'; reject: false; buffer: false }>;

export interface ForkWithIpcOptions {
  readonly cwd: string;
  /** Added to this process's environment. */
  readonly env?: Record<string, string>;
  /** Where its stderr goes: a file, this process's stderr, or nowhere (the default). */
  readonly stderr?: 'ignore' | 'inherit' | { readonly file: string };
}

/**
 * Runs a TypeScript file (through tsx) the way flanneld forks a backend: a JSON IPC channel, stdin
 * and stdout unused, never rejecting (the test reads the exit), SIGKILLed 2 s after a SIGTERM.
 */
export function forkWithIpc(script: string, args: readonly string[], options: ForkWithIpcOptions): IpcSubprocess {
  return execa(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: options.cwd,
    ipc: true,
    serialization: 'json',
    reject: false,
    buffer: false,
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: options.stderr ?? 'ignore',
    ...(options.env === undefined ? {} : { env: options.env }),
    forceKillAfterDelay: 2_000,
  }) as IpcSubprocess;
}
