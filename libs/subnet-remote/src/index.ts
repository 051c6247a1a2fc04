export { ServerTransport, REPLY_TIMEOUT_MS, type RemoteServerOptions } from './server-transport.js';
export { BadReplyError, ServerStatusError, ServerUnreachableError } from './server-errors.js';
export { RemoteSubnetManager } from './remote-subnet-manager.js';
export { RemoteNetworkRegistry } from './remote-network-registry.js';
