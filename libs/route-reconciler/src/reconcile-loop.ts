import type { Logger } from 'pino';
import { errorText } from '@flannel-ts/retry';
import { isBug } from './error-kinds.js';

/** Why the loop ran a pass: the period elapsed, or trigger() was called (e.g. the kernel deleted an entry). */
export type PassReason = 'periodic' | 'triggered';

/**
 * What a pass may leave to do: the rest of its work in steps (say, 250 kernel entries each), and a
 * step may leave steps of its own (a table dump, then its entries in runs), run right after it. The
 * loop's own passes run each step as a separate job on the runner's queue, so peer changes are not
 * held up behind a check of thousands of entries; a pass run by a Backend call runs them at once.
 * A step may be async (kernel changes off the main thread): it holds the queue until it settles.
 */
export type PassOutcome = void | Iterable<PassStep>;
export type PassStep = () => PassOutcome | Promise<PassOutcome>;

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
  readonly pass: (reason: PassReason | Reason) => PassOutcome | Promise<PassOutcome>;
  readonly periodMs: number;
  readonly context: LoopContext;
  readonly log: Logger;
  /** What the passes keep in line, for log lines: `host-gw routes`. */
  readonly what: string;
  readonly maxFailures?: number;
  /** Told before every pass, full or partial, with why it runs (a KernelLedger counts them). */
  readonly onPass?: (reason: PassReason | Reason) => void;
  /**
   * Run on its own turn of the event loop after a full pass ended, all its steps done or failed
   * (a backend gives back the memory a pass over thousands of entries left: releaseMemory).
   */
  readonly afterFullPass?: () => void;
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
/** The marker of a part of a pass that failed (the failure policy has been applied). */
const FAILED: PassStep[] = [];

export class ReconcileLoop<Reason extends string = never> {
  private timer: NodeJS.Timeout | undefined;
  private waiting: PassReason | undefined;
  /** A pass is running its steps; `again` is a request that came meanwhile. */
  private stepping = false;
  private again: PassReason | undefined;
  private failures = 0;
  private readonly maxFailures: number;
  private afterPassQueued = false;

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
    // A pass still working through its steps runs again once done: two must not interleave.
    if (this.stepping) {
      this.again = this.again === 'triggered' ? this.again : reason;
      return;
    }
    // A waiting pass covers this request too; "triggered" says more about why it runs than "periodic".
    if (this.waiting !== undefined) {
      if (reason === 'triggered') this.waiting = reason;
      return;
    }
    this.waiting = reason;
    // After the current macrotask, so that a burst of kernel events (a device's entries flushed)
    // lands in one pass; then behind whatever Backend call is queued.
    setImmediate(() => {
      let why: PassReason = reason;
      /** Undefined while no pass ran (the loop was stopped meanwhile). */
      let steps: PassStep[] | undefined;
      this.o.context
        .exclusive(async () => {
          why = this.waiting ?? reason;
          this.waiting = undefined;
          if (this.timer === undefined) return;
          this.o.onPass?.(why);
          steps = await this.guarded(why, () => this.o.pass(why));
        })
        // The rest of the pass, one queue job per step: Backend calls queued meanwhile go in between.
        .then(async () => {
          if (steps === undefined) return;
          this.stepping = true;
          try {
            if (steps === FAILED) return;
            const queue = [...steps];
            for (let step = queue.shift(); step !== undefined; step = queue.shift()) {
              // Jobs chain through promises alone: without a turn of the event loop, peer changes
              // arriving meanwhile (IPC messages) would wait for the whole pass.
              await new Promise<void>((resolve) => setImmediate(resolve));
              let more: PassStep[] = [];
              await this.o.context.exclusive(async () => {
                if (this.timer !== undefined) more = await this.guarded(why, step);
              });
              if (more === FAILED || this.timer === undefined) return;
              queue.unshift(...more);
            }
            this.succeeded();
          } finally {
            this.passEnded();
            this.stepping = false;
            const again = this.again;
            this.again = undefined;
            if (again !== undefined && this.timer !== undefined) this.schedule(again);
          }
        })
        .catch((error: unknown) => this.o.context.fail(error));
    });
  }

  /** Runs part of a pass; its remaining steps, or FAILED after the failure policy was applied. */
  private async guarded(reason: PassReason | Reason, work: () => PassOutcome | Promise<PassOutcome>): Promise<PassStep[]> {
    try {
      const outcome = await work();
      return outcome ? [...outcome] : [];
    } catch (error) {
      this.failed(reason, error);
      return FAILED;
    }
  }

  private async attempt(reason: PassReason | Reason, partial?: () => void | Promise<void>): Promise<void> {
    this.o.onPass?.(reason);
    try {
      const outcome = await (partial === undefined ? this.o.pass(reason) : partial());
      // Inside a Backend call the queue is ours already: the steps run at once.
      const runAll = async (steps: PassOutcome): Promise<void> => {
        for (const step of steps ?? []) await runAll(await step());
      };
      await runAll(outcome);
    } catch (error) {
      this.failed(reason, error);
      return;
    } finally {
      if (partial === undefined) this.passEnded();
    }
    // Only a full pass shows the whole table can be read and set again.
    if (partial === undefined) this.succeeded();
  }

  private passEnded(): void {
    const after = this.o.afterFullPass;
    if (after === undefined || this.afterPassQueued) return;
    this.afterPassQueued = true;
    setImmediate(() => {
      this.afterPassQueued = false;
      after();
    });
  }

  private succeeded(): void {
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
