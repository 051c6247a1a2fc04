import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A long-running child we started; every signal goes to its PID, never by name. */
export interface ChildProcess {
  readonly pid: number;
  readonly exited: Promise<ProcessExit>;
  hasExited(): boolean;
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL if it is still alive after `graceMs` (5 s); resolves once it is reaped. */
  stop(graceMs?: number): Promise<ProcessExit>;
}

export interface SpawnOptions {
  /** Added to this process's environment. */
  readonly env?: Record<string, string | undefined>;
  readonly cwd?: string;
  /** Files that receive the child's output (appended, so restarts keep earlier lines). */
  readonly stdout?: string;
  readonly stderr?: string;
}

const STOP_GRACE_MS = 5_000;

/** Children still running, SIGKILLed if this process exits without stopping them. */
const running = new Set<number>();
let exitHookInstalled = false;

/**
 * Starts `file args` with stdout/stderr going straight to files. node:child_process rather than
 * execa here: execa only takes descriptors 0-2 and would otherwise pipe output through this
 * process, and a daemon must keep logging whatever the test process is doing.
 */
export function spawnChild(file: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const stdoutFd = options.stdout === undefined ? 'ignore' : openSync(options.stdout, 'a');
  const stderrFd =
    options.stderr === undefined ? 'ignore' : options.stderr === options.stdout ? stdoutFd : openSync(options.stderr, 'a');
  try {
    const child = spawn(file, args, {
      env: { ...process.env, ...options.env },
      cwd: options.cwd,
      stdio: ['ignore', stdoutFd, stderrFd],
    });
    const exited = new Promise<ProcessExit>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', () => resolve({ code: null, signal: null }));
    });
    const { pid } = child;
    if (pid === undefined) {
      throw new Error(`spawning ${[file, ...args].join(' ')}: the command could not be started`);
    }
    installExitHook();
    running.add(pid);
    void exited.then(() => running.delete(pid));
    return trackChild(pid, exited);
  } finally {
    if (typeof stdoutFd === 'number') closeSync(stdoutFd);
    if (typeof stderrFd === 'number' && stderrFd !== stdoutFd) closeSync(stderrFd);
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pid of running) signalPid(pid, 'SIGKILL');
  });
}

function trackChild(pid: number, exitedPromise: Promise<ProcessExit>): ChildProcess {
  let done = false;
  const exited = exitedPromise.then((exit) => {
    done = true;
    return exit;
  });
  const kill = (signal: NodeJS.Signals = 'SIGTERM'): void => {
    if (done) return;
    signalPid(pid, signal);
  };
  return {
    pid,
    exited,
    hasExited: () => done,
    kill,
    async stop(graceMs = STOP_GRACE_MS) {
      kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const escalate = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      try {
        const first = await Promise.race([exited, escalate]);
        if (first !== undefined) return first;
        kill('SIGKILL');
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** process.kill that ignores "no such process" (it exited between our check and the signal). */
export function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** True while a process with this PID exists (zombies included). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
