import type { AcquireOptions, AcquisitionHead } from './acquire-lease.js';
import type { AllocationRange } from './allocation.js';
import type { LeaseListing, WatchHandle, WatchHandlers } from './lease-registry.js';
import type { Lease, LeaseAttrs } from './lease.js';

/**
 * What a daemon needs of the lease store for one network, whether it talks to etcd itself or to
 * a flanneld server (--remote). Failures of the store or the way to it reject with a RetryableError.
 */
export interface SubnetManager {
  /** The network's key prefix, for messages ("<prefix>/config"). */
  readonly prefix: string;
  /** The raw network config, undefined when there is none. */
  getConfig(): Promise<string | undefined>;
  listLeases(): Promise<LeaseListing>;
  /** Every lease change from `fromRevision` on. */
  watchLeases(fromRevision: string, handlers: WatchHandlers): Promise<WatchHandle>;
  /** A lease for `attrs.publicIp`: its existing one, else the preferred subnet when free, else any free one. */
  acquireLease(range: AllocationRange, attrs: LeaseAttrs, o: AcquireOptions): Promise<Lease>;
  /** Begins an acquisition's steps that need no attributes yet, where the store has such steps (etcd). */
  beginAcquisition?(ttlSeconds: number): AcquisitionHead;
  /** Rewrites our lease with new attributes, keeping its subnet; undefined when it changed meanwhile. */
  updateLease(existing: Lease, attrs: LeaseAttrs, ttlSeconds: number): Promise<Lease | undefined>;
  /** Refreshes our lease's TTL; resolves to the seconds left, 0 when the store no longer has it. */
  renewLease(lease: Lease): Promise<number>;
  /** Gives the lease up (the subnet becomes free). */
  revokeLease(lease: Lease): Promise<void>;
  close(): void;
}
