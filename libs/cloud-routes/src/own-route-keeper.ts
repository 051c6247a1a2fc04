import { errorText, formatDelay, isRetryable } from '@flannel-ts/retry';

/** What one check found: the route was right, was missing and is now created, or pointed elsewhere and is now replaced. */
export type EnsureOutcome = 'present' | 'created' | 'replaced';

export interface KeeperContext {
  /** Runs a job on the backend runner's one-call-at-a-time queue. */
  exclusive(job: () => Promise<void> | void): Promise<void>;
  /** Ends the backend with a fatal error. */
  fail(error: unknown): void;
}

export interface OwnRouteKeeperOptions {
  /** For log lines: `route 10.244.3.0/24 → instance i-0abc in route table rtb-1`. */
  readonly what: string;
  /** One check of the route, fixing it when it is absent or wrong. Throws RetryableError for the cloud's failures. */
  readonly ensure: () => Promise<EnsureOutcome>;
  /** Time between checks of a route in place (someone may delete it). */
  readonly periodMs: number;
  readonly log: { info(message: string): void; error(message: string): void };
  readonly context: KeeperContext;
  /** Delay before the first retry of a failed check; it doubles up to maxRetryMs. */
  readonly firstRetryMs?: number;
  readonly maxRetryMs?: number;
}

export interface KeeperState {
  /** The last check found the route in place or put it there. */
  readonly inPlace: boolean;
  readonly checks: number;
  /** Checks that had to create or replace the route. */
  readonly repairs: number;
  /** Failed checks in a row. */
  readonly failures: number;
  readonly lastError?: string;
}

/**
 * Keeps a cloud backend's own route in place: checks it now, then every period, and after a failed
 * check again with a growing delay, forever. A cloud that refuses (quota, permissions, throttling,
 * outage) is logged once per attempt and never ends the backend, since a restart could not help
 * and would only hammer the API; a bug (anything not retryable) does end it.
 */
export class OwnRouteKeeper {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private retryMs: number;
  private current: KeeperState = { inPlace: false, checks: 0, repairs: 0, failures: 0 };

  constructor(private readonly o: OwnRouteKeeperOptions) {
    this.retryMs = o.firstRetryMs ?? 1_000;
  }

  get state(): KeeperState {
    return this.current;
  }

  /** Runs the first check (the caller holds the runner's queue) and schedules the next one; never throws. */
  async start(): Promise<KeeperState> {
    await this.check();
    return this.current;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async check(): Promise<void> {
    if (this.stopped) return;
    const checks = this.current.checks + 1;
    try {
      const outcome = await this.o.ensure();
      const repaired = outcome !== 'present';
      if (this.current.failures > 0) this.o.log.info(`Keeping ${this.o.what} works again after ${this.current.failures} failed check(s)`);
      this.current = { inPlace: true, checks, repairs: this.current.repairs + (repaired ? 1 : 0), failures: 0 };
      this.retryMs = this.o.firstRetryMs ?? 1_000;
      this.schedule(this.o.periodMs);
    } catch (error) {
      if (!isRetryable(error)) {
        this.o.context.fail(new Error(`keeping ${this.o.what}: ${errorText(error)}`, { cause: error }));
        return;
      }
      const delayMs = this.retryMs;
      this.retryMs = Math.min(this.retryMs * 2, Math.max(delayMs, this.o.maxRetryMs ?? 60_000));
      const lastError = errorText(error);
      this.current = { ...this.current, inPlace: false, checks, failures: this.current.failures + 1, lastError };
      this.o.log.error(`Keeping ${this.o.what} failed (trying again in ${formatDelay(delayMs)}): ${lastError}`);
      this.schedule(delayMs);
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.o.context.exclusive(() => this.check()).catch((error: unknown) => this.o.context.fail(error));
    }, delayMs);
    this.timer.unref();
  }
}
