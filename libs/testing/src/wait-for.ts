/**
 * How long a test waits for a condition before it calls it a hang. Tests assert behaviour, never
 * speed (that is tools/bench's job), so this is far above any expected wait, even on a loaded machine.
 */
export const HANG_GUARD_MS = 60_000;

export interface WaitForOptions {
  /** A hang guard, not a speed bound; default HANG_GUARD_MS. */
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** Named in the timeout error: "timed out after 2000 ms waiting for <what>". */
  readonly what: string;
  /** Stops polling early; waitFor then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

type ProbeResult<T> = T | undefined | false;

/**
 * Polls `probe` until it returns something other than undefined/false, and returns that.
 * A probe that throws counts as "not yet"; its last error is reported on timeout.
 */
export async function waitFor<T>(
  probe: () => Promise<ProbeResult<T>> | ProbeResult<T>,
  { timeoutMs = HANG_GUARD_MS, intervalMs = 20, what, signal }: WaitForOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    signal?.throwIfAborted();
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      const detail = lastError === undefined ? '' : `; last probe error: ${describe(lastError)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`, { cause: lastError });
    }
    await sleep(Math.min(intervalMs, remaining), signal);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
