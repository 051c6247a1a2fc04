import { errorText, isRetryable } from './retryable.js';

export interface RetryOptions {
  /** Starts the log line: "<failure> (trying again in 2 s): <error and its causes>". */
  readonly failure: string;
  readonly log: { error(message: string): void };
  readonly signal: AbortSignal;
  /** First delay; it doubles after each failure up to maxDelayMs. */
  readonly firstDelayMs?: number;
  readonly maxDelayMs?: number;
}

/**
 * Runs `attempt` until it succeeds or `signal` aborts. A retryable failure is logged and tried
 * again after a growing delay; any other error is rethrown at once (it is a bug, not the world).
 */
export async function retrying<T>(attempt: () => Promise<T>, o: RetryOptions): Promise<T> {
  const first = o.firstDelayMs ?? 1_000;
  const max = Math.max(first, o.maxDelayMs ?? 30_000);
  let delayMs = first;
  for (;;) {
    o.signal.throwIfAborted();
    try {
      return await attempt();
    } catch (err) {
      if (o.signal.aborted) throw o.signal.reason;
      if (!isRetryable(err)) throw err;
      o.log.error(`${o.failure} (trying again in ${formatDelay(delayMs)}): ${errorText(err)}`);
      await delay(delayMs, o.signal);
      delayMs = Math.min(delayMs * 2, max);
    }
  }
}

export function formatDelay(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** Like timers/promises' setTimeout, on the global timer (so tests can run it on fake timers). */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
