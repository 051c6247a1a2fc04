import type { IP4Net } from '@flannel-ts/ip';
import type { Lease, LeaseAttrs } from './lease.js';

/** A key under the subnets prefix that is not a lease flannel can read. */
export interface SkippedKey {
  readonly key: string;
  readonly reason: string;
  /** The subnet the key names, when it names one (its value is what could not be read). */
  readonly subnet?: IP4Net;
}

export interface LeaseListing {
  readonly leases: Lease[];
  readonly skipped: SkippedKey[];
  /** The store's revision the listing was read at. */
  readonly revision: string;
}

export type WatchChange =
  | { readonly type: 'put'; readonly key: string; readonly lease?: Lease; readonly skipped?: SkippedKey }
  | { readonly type: 'delete'; readonly key: string; readonly subnet?: IP4Net };

export interface WatchHandlers {
  /** The store accepted the watch: events from the start revision on follow. */
  onStarted?(): void;
  /** Every event of one watch response, in order, with the revision of the last one. */
  onChanges(changes: WatchChange[], revision: string): void;
  /**
   * The watch stopped. `resumable`: the connection dropped and the watch can restart at the next
   * revision; otherwise the store cancelled it (compaction, or any other reason) and only a fresh
   * listing is safe.
   */
  onStopped(err: Error, resumable: boolean): void;
}

/**
 * Given to `onStopped` (not resumable) by a store that wants its watcher to re-list for a reason of
 * its own (a flanneld server that was away): the message says why, and the re-list is no fault.
 */
export class ResyncError extends Error {
  override readonly name = 'ResyncError';
}

export interface WatchHandle {
  cancel(): Promise<void>;
}

/**
 * Where leases live: the network config, the lease keys and their TTLs. Failures of the store
 * itself reject with a RetryableError; the etcd v3 registry is one implementation.
 */
export interface LeaseRegistry {
  /** The key prefix, for messages ("<prefix>/config"). */
  readonly prefix: string;
  /** The raw network config, undefined when there is none. */
  getConfig(): Promise<string | undefined>;
  listLeases(): Promise<LeaseListing>;
  /**
   * Creates the lease key if absent, on a TTL of its own (`granted`, when one was granted ahead);
   * undefined when the key exists. The TTL is revoked when the key is not written.
   */
  createLease(subnet: IP4Net, attrs: LeaseAttrs, ttlSeconds: number, granted?: string): Promise<Lease | undefined>;
  /**
   * Rewrites `existing` with `attrs` if unchanged since it was read, on a TTL of its own (`granted`,
   * when one was granted ahead); undefined when it changed. Whichever TTL no key holds is revoked.
   */
  replaceLease(existing: Lease, attrs: LeaseAttrs, ttlSeconds: number, granted?: string): Promise<Lease | undefined>;
  /** Grants a TTL of `ttlSeconds` for a lease key written later; resolves to its id. */
  grantTtl(ttlSeconds: number): Promise<string>;
  /** Revokes a TTL no key uses (one granted ahead and not needed); failures are not reported. */
  dropTtl(leaseId: string): void;
  /** Deletes `existing` if unchanged since it was read. */
  deleteLease(existing: Lease): Promise<boolean>;
  /**
   * Writes `subnet` as a reservation (a key without TTL) if `existing` (undefined: no key yet) is
   * unchanged since it was read; undefined when it changed.
   */
  reserve(subnet: IP4Net, attrs: LeaseAttrs, existing: Lease | undefined): Promise<Lease | undefined>;
  /** Turns the reservation `existing` into a lease on a TTL of its own, if unchanged since it was read. */
  unreserve(existing: Lease, ttlSeconds: number): Promise<Lease | undefined>;
  /** A lease's remaining seconds without refreshing it; 0 when the store no longer knows it. */
  timeToLive(leaseId: string): Promise<number>;
  /** Refreshes a lease's TTL; resolves to the remaining seconds, 0 when the store no longer knows it. */
  keepAlive(leaseId: string): Promise<number>;
  /** Watches every lease key from `fromRevision` on. */
  watchLeases(fromRevision: string, handlers: WatchHandlers): Promise<WatchHandle>;
  close(): void;
}
