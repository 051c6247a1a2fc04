import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { subnetKey } from '@flannel-ts/ip';
import { ResyncError, type SkippedKey, type WatchChange } from './lease-registry.js';
import type { SubnetManager } from './subnet-manager.js';
import { parseLeaseKey } from './keys.js';
import { errorText, isRetryable } from '@flannel-ts/retry';
import type { Lease, LeaseEvent } from './lease.js';

export interface LeaseWatcherStats {
  /** Full listings done (the first one included). */
  relists: number;
  /** Watches resumed from the last applied revision after a disconnect. */
  resumes: number;
}

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

  /** Runs until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    let cursor: string | undefined;
    let backoffMs = 100;
    while (!signal.aborted) {
      try {
        if (cursor === undefined) cursor = await this.relist();
        else this.stats.resumes++;
        if (signal.aborted) return;
        // A watch etcd accepted ran fine: its end is a fresh fault, retried at once (on another member).
        const outcome = await this.watchUntilStopped(cursor, signal, (rev) => (cursor = rev), () => (backoffMs = 100));
        if (outcome === 'aborted') return;
        if (!outcome.resumable) {
          if (outcome.err instanceof ResyncError) this.log.info(`${outcome.err.message}; re-listing subnet leases`);
          else this.log.warn(`Watch of subnet leases was cancelled by etcd (compacted history?); re-listing: ${outcome.err.message}`);
          cursor = undefined;
          backoffMs = 100;
          continue;
        }
        this.log.warn(`Watch subnets: ${outcome.err.message}`);
      } catch (err) {
        if (!isRetryable(err)) throw err;
        this.log.warn(`Watch subnets: ${errorText(err)}`);
      }
      await sleep(backoffMs, undefined, { signal }).catch(() => undefined);
      backoffMs = Math.min(backoffMs * 2, this.retryMs);
    }
  }

  private async relist(): Promise<string> {
    const listing = await this.registry.listLeases();
    this.stats.relists++;
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

  private watchUntilStopped(
    cursor: string,
    signal: AbortSignal,
    advance: (revision: string) => void,
    started: () => void,
  ): Promise<'aborted' | { err: Error; resumable: boolean }> {
    return new Promise((resolve) => {
      const onAbort = () => {
        void handle.then((h) => h.cancel());
        resolve('aborted');
      };
      const handle = this.registry.watchLeases((BigInt(cursor) + 1n).toString(), {
        onStarted: started,
        onChanges: (changes, revision) => {
          if (signal.aborted) return;
          const events: LeaseEvent[] = [];
          for (const change of changes) this.applyChange(change, events);
          advance(revision);
          if (events.length > 0) this.onEvents(events, revision);
        },
        onStopped: (err, resumable) => {
          signal.removeEventListener('abort', onAbort);
          resolve({ err, resumable });
        },
      });
      handle.catch((err: Error) => {
        signal.removeEventListener('abort', onAbort);
        resolve({ err, resumable: false });
      });
      signal.addEventListener('abort', onAbort, { once: true });
    });
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
