export { DEFAULT_ETCD_ENDPOINTS, ETCD_ACCESS_FLAGS, ETCD_ENDPOINTS_FLAG, etcdAccess, type EtcdAccess, type EtcdAccessValues } from './etcd-access-flags.js';
export { ExitError } from './exit-error.js';
