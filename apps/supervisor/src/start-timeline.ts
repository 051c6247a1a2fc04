import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';

/**
 * Where flanneld's start goes: named marks in ms since the process was exec'd, logged as one line at
 * -v=2 once the subnet file is written. Node's own start (until our bundle runs) is the first mark.
 */
export class StartTimeline {
  private readonly marks: { readonly phase: string; readonly atMs: number }[] = [];
  private reported = false;

  constructor(nodeReadyMs: number = performance.nodeTiming.bootstrapComplete) {
    this.marks.push({ phase: 'node', atMs: nodeReadyMs });
  }

  /** Records `phase` now; the first mark of a phase wins, and nothing is recorded after the report. */
  mark(phase: string, atMs: number = performance.now()): void {
    if (this.reported || this.marks.some((m) => m.phase === phase)) return;
    this.marks.push({ phase, atMs });
  }

  /** `node 62, bundle 88, ...`, in the order the phases happened. */
  describe(): string {
    return [...this.marks]
      .sort((a, b) => a.atMs - b.atMs)
      .map((m) => `${m.phase} ${Math.round(m.atMs)}`)
      .join(', ');
  }

  /** Logs the timeline once (trace level: -v=2). */
  report(log: Logger): void {
    if (this.reported) return;
    this.reported = true;
    log.trace(`Start-up timeline (ms since exec): ${this.describe()}`);
  }
}

/** The daemon's one timeline, marked from wherever a phase ends. */
export const startTimeline = new StartTimeline();
