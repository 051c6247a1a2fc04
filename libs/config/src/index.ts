export * from './errors.js';
export * from './network-config.js';
export { findConfigProblems } from './config-problems.js';
export * from './backend-config.js';
export * from './serialize.js';
export { resolveSubnetRange, MAX_SUBNET_LEN, MIN_USEFUL_NETWORK_PREFIX } from './subnet-range.js';
export type { SubnetRange, SubnetRangeInput } from './subnet-range.js';
export type { JsonObject } from './json-fields.js';
export { quoteValue, QUOTE_MAX_CHARS } from './quote.js';
