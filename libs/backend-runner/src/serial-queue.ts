/**
 * Runs async jobs one at a time, in the order pushed: the runner's guarantee that a Backend never
 * sees two calls at once. Jobs handle their own errors; one that throws anyway goes to `onError`.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly onError: (error: unknown) => void) {}

  /** Resolves once `job` has run (or was skipped because the queue stopped). */
  push(job: () => Promise<void>): Promise<void> {
    this.tail = this.tail.then(async () => {
      if (this.stopped) return;
      try {
        await job();
      } catch (error) {
        this.onError(error);
      }
    });
    return this.tail;
  }

  /** Resolves once every job pushed so far has finished (or been skipped). */
  idle(): Promise<void> {
    return this.tail;
  }

  /** Jobs not started yet are skipped; the running one finishes. */
  stop(): void {
    this.stopped = true;
  }
}
