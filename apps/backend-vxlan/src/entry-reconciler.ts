import type { Logger } from '@flannel-ts/log';
import type { ReconcileResult } from '@flannel-ts/route-reconciler';

/** The seam to one kind of kernel entry (ARP or fdb entries of flannel.<VNI>). */
export interface EntryTable<Wanted, Present> {
  list(): Present[];
  /** Whether a listed entry is one this backend manages. */
  owns(entry: Present): boolean;
  /** At most one wanted entry per key: the ARP entry's IP, the fdb entry's MAC. */
  keyOf(entry: Wanted | Present): string;
  /** Whether a present entry already is the wanted one. */
  matches(entry: Present, want: Wanted): boolean;
  /** Adds `want`, replacing in place an entry with the same key. */
  replace(want: Wanted): void;
  remove(entry: Present): void;
  describe(entry: Wanted | Present): string;
}

/**
 * Keeps one entry per wanted key and removes owned entries nobody wants. An entry already right
 * (ours before a restart, or a Go flanneld's) is adopted untouched; a wrong one with a wanted key
 * is replaced in place, never deleted and re-added.
 */
export class EntryReconciler<Wanted, Present> {
  private readonly wanted = new Map<string, Wanted>();

  constructor(
    private readonly table: EntryTable<Wanted, Present>,
    private readonly log: Logger,
  ) {}

  setAll(entries: Iterable<Wanted>): void {
    this.wanted.clear();
    for (const e of entries) this.wanted.set(this.table.keyOf(e), e);
  }

  get size(): number {
    return this.wanted.size;
  }

  reconcile(): ReconcileResult {
    const present = new Map<string, Present[]>();
    for (const entry of this.table.list()) {
      if (!this.table.owns(entry)) continue;
      const key = this.table.keyOf(entry);
      present.set(key, [...(present.get(key) ?? []), entry]);
    }
    let added = 0;
    let removed = 0;
    let kept = 0;
    let failed = 0;
    for (const [key, entries] of present) {
      const want = this.wanted.get(key);
      const keep = want === undefined ? undefined : entries.find((e) => this.table.matches(e, want));
      for (const entry of entries) {
        if (entry === keep) {
          kept++;
          continue;
        }
        // The one wrong entry under a wanted key is replaced in place below.
        if (want !== undefined && keep === undefined && entries.length === 1) continue;
        if (this.attempt(() => this.table.remove(entry), `removing ${this.table.describe(entry)}`)) removed++;
        else failed++;
      }
    }
    for (const [key, want] of this.wanted) {
      if (present.get(key)?.some((e) => this.table.matches(e, want))) continue;
      if (this.attempt(() => this.table.replace(want), `adding ${this.table.describe(want)}`)) added++;
      else failed++;
    }
    return { added, removed, kept, failed };
  }

  private attempt(action: () => void, what: string): boolean {
    try {
      action();
      this.log.debug(what);
      return true;
    } catch (err) {
      this.log.error(`${what}: ${(err as Error).message}`);
      return false;
    }
  }
}
