export * from './go-time.js';
export * from './go-json.js';
export * from './lease.js';
export * from './watch.js';
export * from './reservation.js';
export * from './paths.js';
