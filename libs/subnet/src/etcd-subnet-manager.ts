import { acquireLease, beginAcquisition, type AcquireOptions, type AcquisitionHead } from './acquire-lease.js';
import type { AllocationRange } from './allocation.js';
import { EtcdLeaseRegistry } from './etcd-registry.js';
import type { EtcdConnectOptions, EtcdRequestObserver } from './etcd-options.js';
import type { LeaseListing, LeaseRegistry, WatchHandle, WatchHandlers } from './lease-registry.js';
import type { Lease, LeaseAttrs } from './lease.js';
import type { SubnetManager } from './subnet-manager.js';

/**
 * A daemon's leases kept in etcd by the daemon itself: allocation happens here, on the registry
 * (the etcd v3 one; tests may hand in their own).
 */
export class EtcdSubnetManager implements SubnetManager {
  constructor(readonly registry: LeaseRegistry) {}

  static async connect(options: EtcdConnectOptions & { prefix: string; observer?: EtcdRequestObserver }): Promise<EtcdSubnetManager> {
    return new EtcdSubnetManager(await EtcdLeaseRegistry.connect(options));
  }

  get prefix(): string {
    return this.registry.prefix;
  }

  getConfig(): Promise<string | undefined> {
    return this.registry.getConfig();
  }

  listLeases(): Promise<LeaseListing> {
    return this.registry.listLeases();
  }

  watchLeases(fromRevision: string, handlers: WatchHandlers): Promise<WatchHandle> {
    return this.registry.watchLeases(fromRevision, handlers);
  }

  acquireLease(range: AllocationRange, attrs: LeaseAttrs, o: AcquireOptions): Promise<Lease> {
    return acquireLease(this.registry, range, attrs, o);
  }

  beginAcquisition(ttlSeconds: number): AcquisitionHead {
    return beginAcquisition(this.registry, ttlSeconds);
  }

  updateLease(existing: Lease, attrs: LeaseAttrs, ttlSeconds: number): Promise<Lease | undefined> {
    return this.registry.replaceLease(existing, attrs, ttlSeconds);
  }

  renewLease(lease: Lease): Promise<number> {
    return this.registry.keepAlive(lease.etcdLeaseId);
  }

  async revokeLease(lease: Lease): Promise<void> {
    await this.registry.deleteLease(lease);
  }

  close(): void {
    this.registry.close();
  }
}
