/** Why a pass runs: the period elapsed, or trigger() was called (e.g. the kernel deleted an entry). */
export type PassReason = 'periodic' | 'triggered';

/**
 * Runs a reconcile pass every `periodMs` (re-adding what someone deleted, dropping what is no longer
 * wanted) and soon after trigger(); several triggers before the pass coalesce into one.
 */
export class ReconcileLoop {
  private timer: NodeJS.Timeout | undefined;
  private pending = false;

  constructor(
    private readonly pass: (reason: PassReason) => void,
    private readonly periodMs: number,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.pass('periodic'), this.periodMs);
  }

  trigger(): void {
    if (this.pending) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      if (this.timer) this.pass('triggered');
    });
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
