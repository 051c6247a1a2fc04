import type { Logger } from 'pino';
import { formatIP4, formatIP4Net, sameNet } from '@flannel-ts/ip';
import type { AllocationRange } from './allocation.js';
import type { AcquisitionHead } from './acquire-lease.js';
import type { LeaseListing } from './lease-registry.js';
import type { SubnetManager } from './subnet-manager.js';
import { isReservation, type Lease, type LeaseAttrs, type LeaseEvent } from './lease.js';
import { errorText, formatDelay, isRetryable, retrying, RetryableError } from '@flannel-ts/retry';

/** Failed acquisitions are retried after retryMs, doubling up to this. */
const ACQUIRE_BACKOFF_MAX_MS = 30_000;

export interface LeaseKeeperOptions {
  readonly manager: SubnetManager;
  readonly range: AllocationRange;
  readonly attrs: LeaseAttrs;
  readonly ttlMs: number;
  readonly renewMarginMs: number;
  readonly log: Logger;
  /**
   * Called with every lease the keeper ends up holding after the first one, and awaited: the
   * keeper renews nothing while the new lease is being applied.
   */
  readonly onLeaseChanged: (lease: Lease, previous: Lease) => Promise<void>;
  /** Told every listing of the leases an acquisition reads (a watcher may start from the last one). */
  readonly onListing?: (listing: LeaseListing) => void;
  /** First delay after a failed acquisition (as Go flanneld: 1 s); it doubles up to 30 s. */
  readonly retryMs?: number;
  readonly random?: () => number;
}

type Wake = 'renew' | 'expired' | 'lost' | 'aborted';

/**
 * Holds this host's lease: renews it `renewMarginMs` before it expires, keeps its own expiry
 * clock (a keepalive stream can stay silent after a network cut), and re-acquires a lease
 * that was lost — the same subnet when it is still free, never one another host now holds.
 */
export class LeaseKeeper {
  private current: Lease | undefined;
  private expiresAt = Infinity;
  /** How long the store granted the lease for at the last grant or renewal (at most our TTL). */
  private lifetimeMs: number;
  private wake: ((why: Wake) => void) | undefined;
  private lostReason: string | undefined;
  /** After a failed renewal: when to try again (min(1 min, TTL/10) later). */
  private renewRetryAt: number | undefined;
  /** What we advertise; updateAttrs() changes it. */
  private attrs: LeaseAttrs;
  /** Events of our own key seen while updateAttrs() rewrites it, judged once the write is done. */
  private rewriteEvents: LeaseEvent[] | undefined;
  /** Renewals done (`ok`) and failed (an error, or the store no longer had the lease). */
  readonly stats = { renewalsOk: 0, renewalsFailed: 0 };

  constructor(private readonly o: LeaseKeeperOptions) {
    this.attrs = o.attrs;
    this.lifetimeMs = o.ttlMs;
  }

  get lease(): Lease | undefined {
    return this.current;
  }

  /** How long the held lease has left by our own clock; undefined without a lease or for a reservation. */
  get expiresInMs(): number | undefined {
    if (!this.current || !Number.isFinite(this.expiresAt)) return undefined;
    return Math.max(0, this.expiresAt - performance.now());
  }

  /**
   * Acquires a lease, retrying failures of the world (after retryMs, doubling to 30 s) until it
   * succeeds or `signal` aborts; the first try uses `head` (steps begun ahead) when given.
   */
  async acquire(signal: AbortSignal, preferred?: Lease['subnet'], head?: AcquisitionHead): Promise<Lease> {
    return retrying(
      async () => {
        const started = performance.now();
        const lease = await this.o.manager.acquireLease(this.o.range, this.attrs, {
          ttlSeconds: Math.round(this.o.ttlMs / 1000),
          log: this.o.log,
          ...(preferred ? { preferredSubnet: preferred } : {}),
          ...(this.o.random ? { random: this.o.random } : {}),
          ...(this.o.onListing ? { onListing: this.o.onListing } : {}),
          ...(head ? { head } : {}),
        });
        this.hold(lease, started);
        return lease;
      },
      { failure: 'Failed to acquire subnet', log: this.o.log, signal, firstDelayMs: this.o.retryMs ?? 1_000, maxDelayMs: ACQUIRE_BACKOFF_MAX_MS },
    );
  }

  /**
   * Rewrites our lease with new attributes (a restarted backend proposed another VtepMAC, say),
   * keeping its subnet. Our own write is not mistaken for someone else's.
   */
  async updateAttrs(attrs: LeaseAttrs): Promise<Lease> {
    const lease = this.current;
    if (!lease) throw new Error('updateAttrs: no lease is held');
    this.rewriteEvents = [];
    let updated: Lease | undefined;
    try {
      const started = performance.now();
      updated = await this.o.manager.updateLease(lease, attrs, Math.round(this.o.ttlMs / 1000));
      if (!updated) throw new RetryableError(`lease ${formatIP4Net(lease.subnet)} changed while its attributes were being updated`);
      this.attrs = attrs;
      if (this.current === lease) this.hold(updated, started);
    } finally {
      const seen = this.rewriteEvents;
      this.rewriteEvents = undefined;
      // Our own write shows up as a put at its revision; anything else is judged as usual.
      this.observe(seen.filter((ev) => !(updated && ev.type === 'added' && ev.lease.modRevision === updated.modRevision)));
    }
    return updated;
  }

  /** Feed of lease changes seen by the watcher: tells the keeper when its key went away. */
  observe(events: readonly LeaseEvent[]): void {
    const own = this.current;
    if (!own) return;
    for (const ev of events) {
      if (!sameNet(ev.lease.subnet, own.subnet)) continue;
      // A version older than ours (from a listing read before our write): history, not a change.
      if (isOlder(ev.lease, own)) continue;
      if (this.rewriteEvents) {
        this.rewriteEvents.push(ev);
        continue;
      }
      if (ev.type === 'removed') this.markLost(`lease ${formatIP4Net(own.subnet)} was removed from etcd`);
      else if (ev.lease.attrs.publicIp !== own.attrs.publicIp) {
        this.markLost(`lease ${formatIP4Net(own.subnet)} is now held by ${formatIP4(ev.lease.attrs.publicIp)}`);
      } else if (ev.lease.etcdLeaseId !== own.etcdLeaseId || ev.lease.value !== own.value) {
        this.markLost(`lease ${formatIP4Net(own.subnet)} was rewritten behind our back`);
      }
    }
  }

  /** Renews until `signal` aborts; re-acquires after a loss. The lease stays in etcd on abort. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const why = await this.sleepUntilDue(signal);
      if (why === 'aborted') return;
      if (why === 'renew') {
        await this.renew();
        continue;
      }
      const previous = this.current!;
      this.o.log.error(
        `Lease ${formatIP4Net(previous.subnet)} lost: ${why === 'expired' ? 'it expired before it could be renewed' : this.lostReason}; re-acquiring`,
      );
      this.lostReason = undefined;
      this.current = undefined;
      let lease: Lease;
      try {
        lease = await this.acquire(signal, previous.subnet);
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      if (!sameNet(lease.subnet, previous.subnet)) {
        this.o.log.error(
          `Lease changed: ${formatIP4Net(previous.subnet)} could not be had back; this host moved to ${formatIP4Net(lease.subnet)}`,
        );
      }
      await this.o.onLeaseChanged(lease, previous);
    }
  }

  private hold(lease: Lease, grantedAt: number): void {
    this.current = lease;
    if (isReservation(lease)) this.expiresAt = Infinity;
    else if (lease.expiration !== undefined) this.expiresAt = this.expiryOf(lease.expiration);
    else {
      this.expiresAt = grantedAt + this.o.ttlMs;
      this.lifetimeMs = this.o.ttlMs;
    }
  }

  /** Our monotonic clock's time for the store's expiration. */
  private expiryOf(expiration: number): number {
    const leftMs = expiration - Date.now();
    this.lifetimeMs = Math.min(this.o.ttlMs, Math.max(leftMs, 0));
    return performance.now() + leftMs;
  }

  /**
   * The renew margin for the lifetime the store granted: a flanneld server's leases live as long as
   * its --subnet-lease-ttl says, perhaps less than ours, and the margin shrinks in proportion.
   */
  private renewMarginMs(): number {
    return this.o.renewMarginMs * (this.lifetimeMs / this.o.ttlMs);
  }

  private async renew(): Promise<void> {
    const lease = this.current!;
    const started = performance.now();
    try {
      const ttl = await this.o.manager.renewLease(lease);
      if (this.current !== lease) return;
      if (ttl <= 0) {
        this.stats.renewalsFailed++;
        this.markLost(
          lease.expiration === undefined
            ? `etcd no longer knows lease ${lease.etcdLeaseId} of ${formatIP4Net(lease.subnet)}`
            : `the lease store no longer has ${formatIP4Net(lease.subnet)} for us`,
        );
        return;
      }
      this.stats.renewalsOk++;
      this.expiresAt = started + ttl * 1000;
      this.lifetimeMs = Math.min(this.o.ttlMs, ttl * 1000);
      this.o.log.info(`Lease renewed, new expiration: ${new Date(Date.now() + ttl * 1000).toISOString()}`);
    } catch (err) {
      if (!isRetryable(err)) throw err;
      this.stats.renewalsFailed++;
      const retryMs = this.renewRetryMs();
      this.o.log.error(`Error renewing lease (trying again in ${formatDelay(retryMs)}): ${errorText(err)}`);
      this.renewRetryAt = performance.now() + retryMs;
    }
  }

  private renewRetryMs(): number {
    return Math.min(60_000, this.lifetimeMs / 10);
  }

  private markLost(reason: string): void {
    if (!this.current || this.lostReason) return;
    this.lostReason = reason;
    this.wake?.('lost');
  }

  private sleepUntilDue(signal: AbortSignal): Promise<Wake> {
    if (signal.aborted) return Promise.resolve('aborted');
    if (this.lostReason) return Promise.resolve('lost');
    const now = performance.now();
    if (now >= this.expiresAt) return Promise.resolve('expired');
    let renewAt = this.expiresAt - this.renewMarginMs();
    if (this.renewRetryAt !== undefined && this.renewRetryAt > renewAt) renewAt = this.renewRetryAt;
    const renewing = renewAt < this.expiresAt;
    const dueAt = renewing ? Math.max(now, renewAt) : this.expiresAt;
    if (Number.isFinite(dueAt)) {
      this.o.log.debug(`Waiting for ${Math.round(dueAt - now)} ms to ${renewing ? 'renew' : 'expire'} lease`);
    }
    return new Promise((resolve) => {
      const finish = (why: Wake) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.wake = undefined;
        resolve(why);
      };
      const onAbort = () => finish('aborted');
      const timer = Number.isFinite(dueAt)
        ? setTimeout(() => {
            this.renewRetryAt = undefined;
            finish(renewing ? 'renew' : 'expired');
          }, dueAt - now)
        : undefined;
      signal.addEventListener('abort', onAbort, { once: true });
      this.wake = finish;
    });
  }
}

/** Whether `a` is an earlier version of a key than `b`, by the store's modification revisions. */
function isOlder(a: Lease, b: Lease): boolean {
  const revision = (l: Lease) => (/^\d+$/.test(l.modRevision) ? BigInt(l.modRevision) : undefined);
  const [ra, rb] = [revision(a), revision(b)];
  return ra !== undefined && rb !== undefined && ra < rb;
}
