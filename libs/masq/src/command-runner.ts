import { RetryableError } from '@flannel-ts/retry';

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  /** null when the command could not start or was killed. */
  readonly exitCode: number | null;
}

/** Runs one command to completion, `input` on its stdin; never throws for a non-zero exit. */
export type CommandRunner = (file: string, args: readonly string[], input?: string) => Promise<CommandResult>;

const COMMAND_TIMEOUT_MS = 30_000;

/**
 * Runs commands directly (production: flanneld lives in the host's namespace) or, given `netns`,
 * through `ip netns exec <netns>` (tests). No shell is involved.
 */
export function createCommandRunner(netns?: string): CommandRunner {
  return async (file, args, input) => {
    const [command, commandArgs] = netns === undefined ? [file, args] : ['ip', ['netns', 'exec', netns, file, ...args]];
    // Loaded on the first command: flanneld's start needs no execa (~40 ms of module loading).
    const { execa } = await import('execa');
    const result = await execa(command, commandArgs, {
      input,
      stdin: input === undefined ? 'ignore' : undefined,
      timeout: COMMAND_TIMEOUT_MS,
      killSignal: 'SIGKILL',
      reject: false,
      stripFinalNewline: false,
    });
    const exitCode = result.exitCode ?? null;
    // Without an exit code the command never ran or was killed; execa's message says which.
    const stderr = exitCode === null ? `${result.stderr}\n${result.message}` : result.stderr;
    return { stdout: result.stdout, stderr, exitCode };
  };
}

/**
 * Runs a command and returns its stdout; throws one line naming the command and its stderr. A
 * failing firewall command is the environment's doing: the error is retryable.
 */
export async function runOrThrow(run: CommandRunner, file: string, args: readonly string[], input?: string): Promise<string> {
  const result = await run(file, args, input);
  if (result.exitCode !== 0) throw new RetryableError(commandFailure(file, args, result, input));
  return result.stdout;
}

export function commandFailure(file: string, args: readonly string[], result: CommandResult, input?: string): string {
  const how = result.exitCode === null ? 'did not finish' : `exit ${result.exitCode}`;
  const why = oneLine(result.stderr) || oneLine(result.stdout) || 'no output';
  return `${[file, ...args].join(' ')} failed (${how}): ${why}${quoteFailedLine(why, input)}`;
}

/** iptables-restore names only the number of the batch line it choked on; show the line itself. */
function quoteFailedLine(why: string, input: string | undefined): string {
  const lineNumber = /\bline (\d+) failed/.exec(why)?.[1];
  const line = lineNumber === undefined ? undefined : input?.split('\n')[Number(lineNumber) - 1];
  return line === undefined ? '' : ` (line ${lineNumber}: ${line})`;
}

/**
 * Folds multi-line tool output (nft's caret markers, iptables' "# Warning" lines about the other
 * variant's tables) into one line that keeps only what explains the failure.
 */
function oneLine(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^[\s^~]*$/.test(line) && !line.startsWith('# Warning:'))
    .join(' | ');
}
