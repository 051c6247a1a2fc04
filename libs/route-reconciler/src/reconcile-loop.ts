import type { Logger } from 'pino';
import { errorText } from '@flannel-ts/retry';
import { isBug } from './error-kinds.js';

/** Why the loop ran a pass: the period elapsed, or trigger() was called (e.g. the kernel deleted an entry). */
export type PassReason = 'periodic' | 'triggered';

/** A pass failing this many times in a row ends the backend: at the usual 10 s period, a minute. */
export const MAX_FAILED_PASSES = 6;

/** What the loop needs from the backend runner; the Backend's context (`BackendContext`) is one. */
export interface LoopContext {
  /** Runs a job on the runner's one-call-at-a-time queue, never during a Backend call. */
  exclusive(job: () => Promise<void> | void): Promise<void>;
  /** Ends the backend with a fatal error (exit 1; flanneld restarts it). */
  fail(error: unknown): void;
}

export interface ReconcileLoopOptions<Reason extends string> {
  /**
   * One pass bringing the kernel in line with what is wanted. It throws when it could not do its
   * job (a dump failed, the device could not be restored); entries that could not be set are its
   * own business (logged, retried by the next pass).
   */
  readonly pass: (reason: PassReason | Reason) => void | Promise<void>;
  readonly periodMs: number;
  readonly context: LoopContext;
  readonly log: Logger;
  /** What the passes keep in line, for log lines: `host-gw routes`. */
  readonly what: string;
  readonly maxFailures?: number;
  /** Told before every pass, full or partial, with why it runs (a KernelLedger counts them). */
  readonly onPass?: (reason: PassReason | Reason) => void;
}

/**
 * The one policy for reconcile passes, whoever runs them:
 * - a pass runs every `periodMs` (re-adding what someone deleted) and soon after trigger(); the
 *   loop's own passes go through the runner's queue, so they never run during a Backend call, and
 *   triggers or ticks that come while one is waiting join it instead of piling up;
 * - a pass that throws is logged with its cause and retried at the next period;
 * - `maxFailures` failed passes in a row, or one bug-type error (TypeError, RangeError, ...: retrying
 *   cannot help), end the backend through `context.fail`.
 * Backend calls run their passes with runNow (they already hold the queue); the same policy applies.
 */
export class ReconcileLoop<Reason extends string = never> {
  private timer: NodeJS.Timeout | undefined;
  private waiting: PassReason | undefined;
  private failures = 0;
  private readonly maxFailures: number;

  constructor(private readonly o: ReconcileLoopOptions<Reason>) {
    this.maxFailures = o.maxFailures ?? MAX_FAILED_PASSES;
  }

  start(): void {
    this.timer ??= setInterval(() => this.schedule('periodic'), this.o.periodMs);
  }

  /** Asks for a pass soon (once started); several triggers before it runs make one pass. */
  trigger(): void {
    if (this.timer !== undefined) this.schedule('triggered');
  }

  /**
   * Runs a pass at once, from inside a Backend call (which holds the runner's queue): the full pass,
   * or `partial` (a pass over the entries one peer event touched). Never throws: failures follow
   * the policy.
   */
  async runNow(reason: Reason, partial?: () => void | Promise<void>): Promise<void> {
    await this.attempt(reason, partial);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private schedule(reason: PassReason): void {
    // A waiting pass covers this request too; "triggered" says more about why it runs than "periodic".
    if (this.waiting !== undefined) {
      if (reason === 'triggered') this.waiting = reason;
      return;
    }
    this.waiting = reason;
    // After the current macrotask, so that a burst of kernel events (a device's entries flushed)
    // lands in one pass; then behind whatever Backend call is queued.
    setImmediate(() => {
      this.o.context
        .exclusive(async () => {
          const why = this.waiting ?? reason;
          this.waiting = undefined;
          if (this.timer !== undefined) await this.attempt(why);
        })
        .catch((error: unknown) => this.o.context.fail(error));
    });
  }

  private async attempt(reason: PassReason | Reason, partial?: () => void | Promise<void>): Promise<void> {
    this.o.onPass?.(reason);
    try {
      await (partial === undefined ? this.o.pass(reason) : partial());
    } catch (error) {
      this.failed(reason, error);
      return;
    }
    // Only a full pass shows the whole table can be read and set again.
    if (partial !== undefined) return;
    if (this.failures > 0) this.o.log.info(`Reconciling ${this.o.what} works again after ${this.failures} failed pass(es)`);
    this.failures = 0;
  }

  private failed(reason: PassReason | Reason, error: unknown): void {
    const message = errorText(error);
    if (isBug(error)) {
      this.o.context.fail(new Error(`reconciling ${this.o.what} (${reason}): ${message}`, { cause: error }));
      return;
    }
    this.failures++;
    if (this.failures >= this.maxFailures) {
      const summary = `reconciling ${this.o.what} failed ${this.failures} times in a row, the last (${reason}): ${message}`;
      this.o.context.fail(new Error(summary, { cause: error }));
      return;
    }
    this.o.log.error(
      { err: error },
      `Reconciling ${this.o.what} (${reason}) failed (${this.failures} in a row; the backend stops at ${this.maxFailures}), ` +
        `retrying in ${this.o.periodMs / 1000} s: ${message}`,
    );
  }
}
