export * from './route-table.js';
export * from './keyed-reconciler.js';
export * from './route-entries.js';
export * from './reconcile-loop.js';
export * from './netlink-route-table.js';
export * from './kernel-ledger.js';
export * from './pass-line.js';
