import type { WatchHandle } from './lease-registry.js';
import type { SubnetManager } from './subnet-manager.js';

/** Names of the networks under a prefix: the children `<prefix>/<name>` that have a `config` key. */
export interface NetworkListing {
  readonly names: string[];
  /** The store's revision the listing was read at. */
  readonly revision: string;
}

export interface NetworkChange {
  readonly type: 'added' | 'removed';
  readonly name: string;
}

export interface NetworkWatchHandlers {
  onStarted?(): void;
  /** The changes of one watch response, in order, with the revision of the last event. */
  onChanges(changes: NetworkChange[], revision: string): void;
  /** As for lease watches: `resumable` when the watch can restart at the next revision, else re-list. */
  onStopped(err: Error, resumable: boolean): void;
}

/**
 * The networks of multi-network mode, each with its own config and leases under `<prefix>/<name>`,
 * reached directly in etcd or through a flanneld server.
 */
export interface NetworkRegistry {
  readonly prefix: string;
  listNetworks(): Promise<NetworkListing>;
  watchNetworks(fromRevision: string, handlers: NetworkWatchHandlers): Promise<WatchHandle>;
  /** The lease store of one network, sharing this registry's connection. */
  managerFor(name: string): SubnetManager;
  close(): void;
}
