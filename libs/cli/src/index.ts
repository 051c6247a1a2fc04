export { ETCD_ACCESS_FLAGS, etcdAccess, type EtcdAccess, type EtcdAccessValues } from './etcd-access-flags.js';
export { ExitError } from './exit-error.js';
