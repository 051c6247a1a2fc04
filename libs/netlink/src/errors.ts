import type { NetlinkError } from './types.js';

/** True for a failure the kernel or libnl reported (optionally with this errno name). */
export function isNetlinkError(error: unknown, code?: string): error is NetlinkError {
  if (!(error instanceof Error)) return false;
  const candidate = error as Partial<NetlinkError>;
  return candidate.syscall === 'netlink' && typeof candidate.code === 'string' && (code === undefined || candidate.code === code);
}

/**
 * The addon's error ("File exists") as one naming what was being done:
 * "adding route 10.244.3.0/24 via 192.0.2.12 dev eth0: File exists", same code/errno/syscall.
 * Anything else (a TypeError from a wrong call) passes through unchanged.
 */
export function inContext(what: string, error: unknown): unknown {
  if (!isNetlinkError(error)) return error;
  const wrapped = new Error(`${what}: ${error.message}`) as NetlinkError;
  wrapped.code = error.code;
  wrapped.errno = error.errno;
  wrapped.syscall = 'netlink';
  return wrapped;
}

/** Runs `call`, rethrowing its netlink failure in context. `what` is built only on failure. */
export function withContext<T>(what: () => string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw inContext(what(), error);
  }
}
