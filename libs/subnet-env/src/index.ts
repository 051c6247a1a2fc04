export { formatSubnetEnv, type SubnetEnvValues } from './format.js';
export { writeSubnetEnv } from './write.js';
export { parseSubnetEnv } from './parse.js';
export { readSubnetEnv } from './read.js';
export { previousSubnetFromEnv, previousNetworkFromEnv, type RememberedNet } from './previous.js';
