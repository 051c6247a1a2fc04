import type { KernelReport, MetricSample } from '@flannel-ts/backend-protocol';
import { KeyedReconciler, type KeyedReconcilerOptions } from './keyed-reconciler.js';
import type { PassReason } from './reconcile-loop.js';

export type EntryKind = 'route' | 'neighbour' | 'fdb';

/** How many missing entries and recent repairs a report lists. */
const LIST_LIMIT = 20;

/** Passes the loop runs on its own: what they add was wanted all along, so it had gone missing or wrong. */
const REPAIRING: ReadonlySet<string> = new Set<PassReason>(['periodic', 'triggered']);

/**
 * A backend's account of its kernel entries for the supervisor (`status`): passes by reason, repairs
 * by kind, the entries it wants, what its last pass found missing and the last repairs. A repair is an
 * entry added or replaced by a periodic or triggered pass (someone deleted or changed it, or an earlier
 * add failed); entries added because a lease or peer event asked for them are not repairs.
 */
export class KernelLedger {
  private reason = '';
  private readonly passes = new Map<string, number>();
  private readonly repairs = new Map<EntryKind, number>();
  private readonly recent: { entry: string; at: string }[] = [];
  private readonly tables: [EntryKind, KeyedReconciler<unknown, unknown>][] = [];

  /** `repaired` is told after each repair (e.g. to report the status at once). */
  constructor(private readonly repaired: () => void = () => {}) {}

  /** A reconciler for one kind of entry whose adds this ledger watches and whose view it reports. */
  reconciler<W, P>(kind: EntryKind, options: KeyedReconcilerOptions<W, P>): KeyedReconciler<W, P> {
    const reconciler = new KeyedReconciler<W, P>({ ...options, onAdded: (describe) => this.added(kind, describe) });
    this.tables.push([kind, reconciler as KeyedReconciler<unknown, unknown>]);
    this.repairs.set(kind, 0);
    return reconciler;
  }

  /** The ReconcileLoop's `onPass`. */
  readonly passStarted = (reason: string): void => {
    this.reason = reason;
    this.passes.set(reason, (this.passes.get(reason) ?? 0) + 1);
  };

  report(): KernelReport {
    let wanted = 0;
    let present = 0;
    const missing: string[] = [];
    for (const [, reconciler] of this.tables) {
      const view = reconciler.view(LIST_LIMIT - missing.length);
      wanted += view.wanted;
      present += view.present;
      missing.push(...view.missing);
    }
    return { wanted, present, missing, repaired: [...this.recent] };
  }

  samples(): MetricSample[] {
    const passes = [...this.passes].map(([reason, value]): MetricSample => ({
      name: 'flannel_backend_reconcile_passes_total',
      type: 'counter',
      help: 'Reconcile passes over the kernel entries, by why they ran.',
      labels: { reason },
      value,
    }));
    const repairs = [...this.repairs].map(([kind, value]): MetricSample => ({
      name: 'flannel_backend_kernel_repairs_total',
      type: 'counter',
      help: 'Kernel entries re-added or corrected by a periodic or triggered reconcile pass.',
      labels: { kind },
      value,
    }));
    const entries = this.tables.map(([kind, reconciler]): MetricSample => ({
      name: 'flannel_backend_kernel_entries',
      type: 'gauge',
      help: 'Kernel entries the backend wants.',
      labels: { kind },
      value: reconciler.size,
    }));
    return [...passes, ...repairs, ...entries];
  }

  private added(kind: EntryKind, describe: () => string): void {
    if (!REPAIRING.has(this.reason)) return;
    this.repairs.set(kind, (this.repairs.get(kind) ?? 0) + 1);
    this.recent.push({ entry: describe(), at: new Date().toISOString() });
    if (this.recent.length > LIST_LIMIT) this.recent.shift();
    this.repaired();
  }
}
