export { startLeaseServer, type LeaseServer, type LeaseServerOptions } from './lease-server.js';
export { parseListenAddress, checkActivatedFd, ListenError, type ListenAddress } from './listen-address.js';
export type { ServedNetwork, ServedNetworks } from './served-networks.js';
export type { ServerTlsFiles } from './tls-files.js';
export { etcdServedNetworks } from './etcd-served-networks.js';
