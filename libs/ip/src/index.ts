export * from './ip4.js';
export * from './ip4-net.js';
