import type { Logger } from 'pino';
import { subnetKey, type IP4Net } from '@flannel-ts/ip';
import { encodeEvent, encodeLease, encoderBody } from '@flannel-ts/lease-api';
import { isReservation, LeaseWatcher, type Lease, type LeaseEvent, type LeaseRegistry, type SubnetManager } from '@flannel-ts/subnet';
import { toApiEvent, toApiLease } from './api-lease.js';

/** One etcd watch response's changes, as every reader of the network gets them. */
interface Entry {
  readonly revision: bigint;
  readonly subnets: readonly string[];
  /** Each event's JSON, encoded once for every reader. */
  readonly json: readonly string[];
}

interface Waiter {
  readonly cursor: bigint;
  readonly subnet: string | undefined;
  readonly deliver: (body: string) => void;
}

export interface LeaseHubOptions {
  readonly manager: SubnetManager;
  /** For the leases' expirations (etcd TTLs). */
  readonly registry: Pick<LeaseRegistry, 'timeToLive'>;
  readonly log: Logger;
  /** Events kept for readers that are behind; a reader further behind gets a snapshot. */
  readonly historyLimit: number;
  /** The TTL assumed for a lease whose own could not be read. */
  readonly fallbackTtlSeconds: number;
}

/** Concurrent TTL look-ups while a listing's leases are read. */
const TTL_LOOKUPS = 16;

/**
 * One network's leases as the server's readers see them: one LeaseWatcher (one etcd watch) feeds
 * the current state and the recent changes, tagged with the etcd revision they bring a reader to.
 * A long-poll with a cursor gets every change after it at once, or waits for the next; a cursor
 * older than the kept history gets a snapshot. State and history change in one queue, so a
 * snapshot and its cursor always agree.
 */
export class LeaseHub {
  private readonly state = new Map<string, Lease>();
  private readonly entries: Entry[] = [];
  /** Every change after `base` is in `entries`. */
  private base = 0n;
  private revision = 0n;
  private readonly waiters = new Set<Waiter>();
  private readonly expiresAt = new Map<string, number>();
  private queue: Promise<void> = Promise.resolve();
  private listed = false;
  private readonly ready: Promise<void>;
  private markReady!: () => void;
  private failure: Error | undefined;
  private snapshotCache: { revision: bigint; body: string } | undefined;
  private readonly stop = new AbortController();

  constructor(private readonly o: LeaseHubOptions) {
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
   * The reply to a watch: with no cursor a snapshot; else the changes after the cursor, waiting for
   * one when there are none yet. `subnet` narrows it to that one lease. `onLeave` registers what to
   * do when the reader goes away first (and returns how to unregister it); the reply is then undefined.
   */
  async watch(cursor: bigint | undefined, subnet: IP4Net | undefined, onLeave: (left: () => void) => () => void): Promise<string | undefined> {
    await this.ready;
    if (this.failure) throw this.failure;
    const key = subnet && subnetKey(subnet);
    if (cursor === undefined) return this.snapshot(key);
    const now = this.replyTo(cursor, key);
    if (now !== undefined) return now;
    return new Promise((resolve) => {
      const waiter: Waiter = {
        cursor,
        subnet: key,
        deliver: (body) => {
          this.waiters.delete(waiter);
          unregister();
          resolve(body);
        },
      };
      const unregister = onLeave(() => {
        this.waiters.delete(waiter);
        resolve(undefined);
      });
      this.waiters.add(waiter);
    });
  }

  /** The lease the store holds for `subnet` now (as last seen by the watch), if any. */
  current(subnet: IP4Net): Lease | undefined {
    return this.state.get(subnetKey(subnet));
  }

  /** Records when a lease expires, as a renewal or an acquisition learned it. */
  noteExpiration(lease: Lease, expiresAt: number): void {
    if (!isReservation(lease)) this.expiresAt.set(lease.etcdLeaseId, expiresAt);
  }

  get waiting(): number {
    return this.waiters.size;
  }

  close(): void {
    this.stop.abort();
    for (const w of this.waiters) w.deliver('');
  }

  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch((err: Error) => this.o.log.error(`lease hub of ${this.o.manager.prefix}: ${err.message}`));
  }

  private async init(leases: Lease[], revision: bigint): Promise<void> {
    await this.learnExpirations(leases);
    for (const lease of leases) this.state.set(subnetKey(lease.subnet), lease);
    this.base = this.revision = revision;
    this.markReady();
  }

  private async apply(events: LeaseEvent[], revision: bigint): Promise<void> {
    await this.learnExpirations(events.filter((e) => e.type === 'added').map((e) => e.lease));
    const subnets: string[] = [];
    const json: string[] = [];
    for (const event of events) {
      const key = subnetKey(event.lease.subnet);
      if (event.type === 'added') this.state.set(key, event.lease);
      else {
        this.state.delete(key);
        this.expiresAt.delete(event.lease.etcdLeaseId);
      }
      subnets.push(key);
      json.push(encodeEvent(toApiEvent(event, this.expiresAt.get(event.lease.etcdLeaseId))));
    }
    this.entries.push({ revision, subnets, json });
    this.revision = revision;
    while (this.entries.length > this.o.historyLimit) this.base = this.entries.shift()!.revision;
    for (const waiter of [...this.waiters]) {
      const body = this.replyTo(waiter.cursor, waiter.subnet);
      if (body !== undefined) waiter.deliver(body);
    }
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

  /** The changes after `cursor` (for `subnet` only, when given), a snapshot when it is too old, else undefined. */
  private replyTo(cursor: bigint, subnet: string | undefined): string | undefined {
    if (cursor < this.base) return this.snapshot(subnet);
    const json: string[] = [];
    let i = this.entries.length;
    while (i > 0 && this.entries[i - 1]!.revision > cursor) i--;
    if (i === this.entries.length) return undefined;
    for (const entry of this.entries.slice(i)) {
      if (subnet === undefined) json.push(...entry.json);
      else entry.subnets.forEach((s, n) => s === subnet && json.push(entry.json[n]!));
    }
    if (json.length === 0) return undefined;
    return encoderBody(`{"events":[${json.join(',')}],"snapshot":null,"cursor":"${this.revision}"}`);
  }

  private snapshot(subnet: string | undefined): string {
    if (subnet === undefined && this.snapshotCache?.revision === this.revision) return this.snapshotCache.body;
    const leases = subnet === undefined ? [...this.state.values()] : [this.state.get(subnet)].filter((l) => l !== undefined);
    const json = leases.map((l) => encodeLease(toApiLease(l, this.expiresAt.get(l.etcdLeaseId))));
    const body = encoderBody(`{"events":null,"snapshot":[${json.join(',')}],"cursor":"${this.revision}"}`);
    if (subnet === undefined) this.snapshotCache = { revision: this.revision, body };
    return body;
  }
}
