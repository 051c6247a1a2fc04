import type { EtcdLeaseRegistry } from './etcd-registry.js';
import { EtcdSubnetManager } from './etcd-subnet-manager.js';
import { networkOfConfigKey, trimSlash } from './keys.js';
import type { WatchHandle } from './lease-registry.js';
import type { NetworkChange, NetworkListing, NetworkRegistry, NetworkWatchHandlers } from './network-registry.js';
import type { SubnetManager } from './subnet-manager.js';

/**
 * The networks of multi-network mode in etcd: a network is a `<prefix>/<name>/config` key; its
 * leases live under `<prefix>/<name>/subnets/`. Every network's registry shares one connection.
 */
export class EtcdNetworkRegistry implements NetworkRegistry {
  constructor(
    private readonly root: EtcdLeaseRegistry,
    private readonly forPrefix: (prefix: string) => EtcdLeaseRegistry,
  ) {}

  get prefix(): string {
    return this.root.prefix;
  }

  listNetworks(): Promise<NetworkListing> {
    return this.root.listNetworkNames();
  }

  /** A put of a network's config key adds it (again, when it exists: the config changed); a delete removes it. */
  watchNetworks(fromRevision: string, handlers: NetworkWatchHandlers): Promise<WatchHandle> {
    return this.root.watchNetworkKeys(fromRevision, {
      ...(handlers.onStarted ? { onStarted: () => handlers.onStarted?.() } : {}),
      onStopped: (err, resumable) => handlers.onStopped(err, resumable),
      onEvents: (events, revision) => {
        const changes = events.flatMap((ev): NetworkChange[] => {
          const name = networkOfConfigKey(this.prefix, ev.kv.key.toString());
          return name === undefined ? [] : [{ type: ev.type === 'Delete' ? 'removed' : 'added', name }];
        });
        handlers.onChanges(changes, revision);
      },
    });
  }

  managerFor(name: string): SubnetManager {
    return new EtcdSubnetManager(this.forPrefix(`${trimSlash(this.prefix)}/${name}`));
  }

  close(): void {
    this.root.close();
  }
}
