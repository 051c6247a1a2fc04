/**
 * The one retry policy of the daemon: failures of the world around it (etcd unreachable or
 * refusing, the network, a full disk) are retried; anything else (a TypeError, a broken invariant)
 * is a bug that must end the process with its stack instead of becoming an endless "will retry".
 */
export class RetryableError extends Error {
  override readonly name: string = 'RetryableError';
}

/** Errno codes of system calls and sockets that say "the environment", not "our code". */
const ENVIRONMENT_ERRNO = /^E[A-Z0-9]+$/;

/** True when `err`, or an error it wraps (its `cause`), is the world's doing rather than a bug. */
export function isRetryable(err: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e: unknown = err; e instanceof Error && !seen.has(e); e = e.cause) {
    seen.add(e);
    if (e instanceof RetryableError) return true;
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && ENVIRONMENT_ERRNO.test(code)) return true;
  }
  return false;
}

/** "message: cause: cause", so a log line says why, not only what. */
export function errorText(err: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  for (let e: unknown = err; e !== undefined && e !== null && !seen.has(e); e = (e as Error).cause) {
    seen.add(e);
    const message = e instanceof Error ? e.message : String(e);
    if (message && !parts.at(-1)?.endsWith(message)) parts.push(message);
    if (!(e instanceof Error)) break;
  }
  return parts.join(': ');
}
