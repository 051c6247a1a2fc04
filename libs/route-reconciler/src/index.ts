export * from './route-table.js';
export * from './route-reconciler.js';
