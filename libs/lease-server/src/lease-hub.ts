import type { Logger } from 'pino';
import { subnetKey, type IP4Net } from '@flannel-ts/ip';
import { encodeEvent, encodeLease, encoderBody } from '@flannel-ts/lease-api';
import { isReservation, LeaseWatcher, type Lease, type LeaseEvent, type LeaseRegistry, type SubnetManager } from '@flannel-ts/subnet';
import { toApiEvent, toApiLease } from './api-lease.js';
import { ChangeFeed } from './change-feed.js';

export interface LeaseHubOptions {
  readonly manager: SubnetManager;
  /** For the leases' expirations (etcd TTLs). */
  readonly registry: Pick<LeaseRegistry, 'timeToLive'>;
  readonly log: Logger;
  /** Changes kept for readers that are behind; a reader further behind gets a snapshot. */
  readonly historyLimit: number;
  /** The TTL assumed for a lease whose own could not be read. */
  readonly fallbackTtlSeconds: number;
}

/** Concurrent TTL look-ups while a listing's leases are read. */
const TTL_LOOKUPS = 16;

/**
 * One network's leases as the server's readers see them: one LeaseWatcher (one etcd watch) feeds
 * the current state and a ChangeFeed of the recent changes. State and feed change in one queue
 * (a change waits for the TTLs of its leases), so a snapshot and its cursor always agree.
 */
export class LeaseHub {
  private readonly state = new Map<string, Lease>();
  private readonly feed: ChangeFeed;
  /** When each etcd lease expires (ms), as last read or learned. */
  private readonly expiresAt = new Map<string, number>();
  private queue: Promise<void> = Promise.resolve();
  private listed = false;
  private readonly ready: Promise<void>;
  private markReady!: () => void;
  private failure: Error | undefined;
  private snapshotCache: { revision: bigint; body: string } | undefined;
  private readonly stop = new AbortController();

  constructor(private readonly o: LeaseHubOptions) {
    this.feed = new ChangeFeed(o.historyLimit, (key) => this.snapshot(key));
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    const watcher = new LeaseWatcher(
      o.manager,
      (events, revision) => {
        // The first listing arrives as events too: it is the initial state, not news.
        if (this.listed) this.enqueue(() => this.apply(events, BigInt(revision)));
      },
      o.log,
      1_000,
      (leases, revision) => {
        if (this.listed) return;
        this.listed = true;
        const initial = [...leases.values()];
        this.enqueue(() => this.init(initial, BigInt(revision)));
      },
    );
    watcher.run(this.stop.signal).catch((err: Error) => {
      // Not the world's doing (that the watcher retries): no reader can be served any more.
      this.failure = new Error(`watching the leases of ${o.manager.prefix} failed: ${err.message}`, { cause: err });
      o.log.error(this.failure.message);
      this.markReady();
    });
  }

  /**
   * The reply to a watch: with no cursor a snapshot; else the changes after the cursor (see
   * ChangeFeed.next). `subnet` narrows it to that one lease.
   */
  async watch(cursor: bigint | undefined, subnet: IP4Net | undefined, onLeave: (left: () => void) => () => void): Promise<string | undefined> {
    await this.ready;
    if (this.failure) throw this.failure;
    const key = subnet && subnetKey(subnet);
    return cursor === undefined ? this.snapshot(key) : this.feed.next(cursor, key, onLeave);
  }

  /** Records when a lease expires, as a renewal or an acquisition learned it. */
  noteExpiration(lease: Lease, expiresAt: number): void {
    if (!isReservation(lease)) this.expiresAt.set(lease.etcdLeaseId, expiresAt);
  }

  get waiting(): number {
    return this.feed.waiting;
  }

  close(): void {
    this.stop.abort();
    this.feed.close();
  }

  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch((err: Error) => this.o.log.error(`lease hub of ${this.o.manager.prefix}: ${err.message}`));
  }

  private async init(leases: Lease[], revision: bigint): Promise<void> {
    await this.learnExpirations(leases);
    for (const lease of leases) this.state.set(subnetKey(lease.subnet), lease);
    this.feed.start(revision);
    this.markReady();
  }

  private async apply(events: LeaseEvent[], revision: bigint): Promise<void> {
    await this.learnExpirations(events.filter((e) => e.type === 'added').map((e) => e.lease));
    const keys: string[] = [];
    const json: string[] = [];
    for (const event of events) {
      const key = subnetKey(event.lease.subnet);
      if (event.type === 'added') this.state.set(key, event.lease);
      else {
        this.state.delete(key);
        this.expiresAt.delete(event.lease.etcdLeaseId);
      }
      keys.push(key);
      json.push(encodeEvent(toApiEvent(event, this.expiresAt.get(event.lease.etcdLeaseId))));
    }
    this.feed.append(revision, keys, json);
  }

  /** Reads the TTL of every etcd lease not seen before (a few at a time). */
  private async learnExpirations(leases: Lease[]): Promise<void> {
    const ids = [...new Set(leases.filter((l) => !isReservation(l) && !this.expiresAt.has(l.etcdLeaseId)).map((l) => l.etcdLeaseId))];
    for (let i = 0; i < ids.length; i += TTL_LOOKUPS) {
      await Promise.all(
        ids.slice(i, i + TTL_LOOKUPS).map(async (id) => {
          const seconds = await this.o.registry.timeToLive(id).catch((err: Error) => {
            this.o.log.debug(`TTL of etcd lease ${id} unknown (${err.message}); assuming ${this.o.fallbackTtlSeconds} s`);
            return this.o.fallbackTtlSeconds;
          });
          this.expiresAt.set(id, Date.now() + seconds * 1000);
        }),
      );
    }
  }

  private snapshot(subnet: string | undefined): string {
    const revision = this.feed.revision;
    if (subnet === undefined && this.snapshotCache?.revision === revision) return this.snapshotCache.body;
    const leases = subnet === undefined ? [...this.state.values()] : [this.state.get(subnet)].filter((l) => l !== undefined);
    const json = leases.map((l) => encodeLease(toApiLease(l, this.expiresAt.get(l.etcdLeaseId))));
    const body = encoderBody(`{"events":null,"snapshot":[${json.join(',')}],"cursor":"${revision}"}`);
    if (subnet === undefined) this.snapshotCache = { revision, body };
    return body;
  }
}
