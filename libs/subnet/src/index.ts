export * from './lease.js';
export * from './lease-json.js';
export * from './keys.js';
export * from './allocation.js';
export type { EtcdConnectOptions } from './etcd-options.js';
export * from './etcd-registry.js';
export * from './acquire-lease.js';
export * from './lease-keeper.js';
export * from './lease-watcher.js';
