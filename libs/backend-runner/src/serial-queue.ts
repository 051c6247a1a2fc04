/**
 * Runs async jobs one at a time, in the order pushed: the runner's guarantee that a Backend never
 * sees two calls at once. Jobs handle their own errors; one that throws anyway goes to `onError`.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly onError: (error: unknown) => void) {}

  push(job: () => Promise<void>): void {
    this.tail = this.tail.then(async () => {
      if (this.stopped) return;
      try {
        await job();
      } catch (error) {
        this.onError(error);
      }
    });
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
