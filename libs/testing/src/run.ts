import { execa } from 'execa';

export interface RunOptions {
  readonly env?: Record<string, string | undefined>;
  readonly cwd?: string;
  /** Written to the command's stdin. */
  readonly input?: string;
  /** Kills the command (SIGKILL) after this long; default 30 s. */
  readonly timeoutMs?: number;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  /** null when the command was killed by a signal or could not start. */
  readonly exitCode: number | null;
}

/** Runs a short command to completion; never throws for a non-zero exit (see runChecked). */
export async function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await execa(file, args, {
    env: options.env,
    cwd: options.cwd,
    input: options.input,
    stdin: options.input === undefined ? 'ignore' : undefined,
    timeout: options.timeoutMs ?? 30_000,
    killSignal: 'SIGKILL',
    reject: false,
  });
  // No exit code: it never started or was killed (timeout); execa's message says which.
  const stderr = result.exitCode === undefined ? `${result.stderr}\n${result.message ?? ''}`.trim() : result.stderr;
  return { stdout: result.stdout, stderr, exitCode: result.exitCode ?? null };
}

/** Runs a short command and returns its stdout; throws naming the command and its stderr on failure. */
export async function runChecked(file: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await run(file, args, options);
  if (result.exitCode !== 0) {
    throw new Error(
      `${[file, ...args].join(' ')} failed (exit ${result.exitCode ?? 'by signal'}): ${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
  return result.stdout;
}
