import type { Logger } from 'pino';
import { sameNet, subnetKey } from '@flannel-ts/ip';
import type { LeaseListing, SkippedKey, WatchChange } from './lease-registry.js';
import type { SubnetManager } from './subnet-manager.js';
import { parseLeaseKey } from './keys.js';
import { runListWatch, type ListWatchStats } from './list-watch.js';
import type { Lease, LeaseEvent } from './lease.js';

export type LeaseWatcherStats = ListWatchStats;

/**
 * Keeps a complete view of every lease: one listing, then one long-lived watch from the
 * listing's revision + 1 that applies every event of every response. A disconnect resumes at
 * the last applied revision + 1 (on whichever etcd member the registry uses by then: members
 * share one history); compaction or any watch error re-lists and emits only the difference, so
 * nothing is lost, duplicated or re-announced.
 */
export class LeaseWatcher {
  private readonly known = new Map<string, Lease>();
  private readonly reported = new Set<string>();
  /** The revision of a listing someone handed in (already applied), for the first relist; none once that ran. */
  private handedRevision: string | undefined;
  private listedOnce = false;
  readonly stats: LeaseWatcherStats = { relists: 0, resumes: 0 };

  constructor(
    private readonly registry: Pick<SubnetManager, 'listLeases' | 'watchLeases'>,
    /** Every change, with the store revision the view has reached with it. */
    private readonly onEvents: (events: LeaseEvent[], revision: string) => void,
    private readonly log: Logger,
    private readonly retryMs = 1_000,
    /** Called after every full listing has been applied, with the complete view and its revision. */
    private readonly onListed?: (leases: ReadonlyMap<string, Lease>, revision: string) => void,
  ) {}

  /** The current view, keyed by subnet key ("10.1.15.0-24"). */
  leases(): ReadonlyMap<string, Lease> {
    return this.known;
  }

  /**
   * A complete listing just read elsewhere (the lease acquisition's), applied now with `written`
   * (the lease written since) in it: run() does not list again, its watch starts after this
   * listing's revision. Ignored once run() has listed.
   */
  useListing(listing: LeaseListing, written?: Lease): void {
    if (this.listedOnce) return;
    const leases = written ? [...listing.leases.filter((l) => !sameNet(l.subnet, written.subnet)), written] : listing.leases;
    this.handedRevision = this.applyListing({ ...listing, leases });
  }

  /** Runs until `signal` aborts. */
  run(signal: AbortSignal): Promise<void> {
    return runListWatch<WatchChange>(
      {
        relist: () => this.relist(),
        watch: (from, handlers) => this.registry.watchLeases(from, handlers),
        apply: (changes, revision) => {
          const events: LeaseEvent[] = [];
          for (const change of changes) this.applyChange(change, events);
          if (events.length > 0) this.onEvents(events, revision);
        },
      },
      { signal, log: this.log, retryMs: this.retryMs, what: 'subnet leases', stats: this.stats },
    );
  }

  private async relist(): Promise<string> {
    const handed = this.handedRevision;
    this.handedRevision = undefined;
    this.listedOnce = true;
    return handed ?? this.applyListing(await this.registry.listLeases());
  }

  /** Makes the view this listing, emitting the difference; returns its revision. */
  private applyListing(listing: LeaseListing): string {
    listing.skipped.forEach((s) => this.reportSkipped(s));
    const seen = new Set<string>();
    const events: LeaseEvent[] = [];
    for (const lease of listing.leases) {
      const key = subnetKey(lease.subnet);
      seen.add(key);
      this.applyPut(key, lease, events);
    }
    for (const [key, lease] of this.known) {
      if (!seen.has(key)) {
        this.known.delete(key);
        events.push({ type: 'removed', lease });
      }
    }
    if (events.length > 0) this.onEvents(events, listing.revision);
    this.onListed?.(this.known, listing.revision);
    return listing.revision;
  }

  private applyChange(change: WatchChange, events: LeaseEvent[]): void {
    if (change.type === 'put' && change.lease) {
      this.applyPut(subnetKey(change.lease.subnet), change.lease, events);
      return;
    }
    if (change.type === 'put' && change.skipped) this.reportSkipped(change.skipped);
    else this.forgetReported(change.key);
    // Deleted, or rewritten into something unreadable: either way it is no longer a lease.
    const subnet = parseLeaseKey(change.key);
    const lease = subnet && this.known.get(subnetKey(subnet));
    if (subnet && lease) {
      this.known.delete(subnetKey(subnet));
      events.push({ type: 'removed', lease });
    }
  }

  private applyPut(key: string, lease: Lease, events: LeaseEvent[]): void {
    const before = this.known.get(key);
    this.known.set(key, lease);
    // A renewal rewrites the same value: not a change anyone needs to act on.
    if (before?.value !== lease.value) events.push({ type: 'added', lease });
  }

  private reportSkipped(skipped: SkippedKey): void {
    const id = `${skipped.key}\u0000${skipped.reason}`;
    if (this.reported.has(id)) return;
    this.reported.add(id);
    this.log.warn(`Skipping lease key ${skipped.key}: ${skipped.reason}`);
  }

  private forgetReported(key: string): void {
    for (const id of this.reported) if (id.startsWith(`${key}\u0000`)) this.reported.delete(id);
  }
}
