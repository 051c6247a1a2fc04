import type { ReconcileResult } from './keyed-reconciler.js';

/**
 * A full pass in one log line: `Reconciled 12 vxlan peers in 3 ms (snapshot): routes +1 -0 =11, fdb …`
 * (`!n` after a table whose changes failed). `startedNs` is process.hrtime.bigint() at the pass's start.
 */
export function passLine(what: string, peers: number, startedNs: bigint, reason: string, results: Record<string, ReconcileResult>): string {
  const ms = (Number(process.hrtime.bigint() - startedNs) / 1e6).toFixed(0);
  const summary = Object.entries(results)
    .map(([table, r]) => `${table} +${r.added} -${r.removed} =${r.kept}${r.failed ? ` !${r.failed}` : ''}`)
    .join(', ');
  return `Reconciled ${peers} ${what} peers in ${ms} ms (${reason}): ${summary}`;
}
