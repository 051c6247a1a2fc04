export * from './route-table.js';
export * from './route-reconciler.js';
export * from './reconcile-loop.js';
export * from './netlink-route-table.js';
