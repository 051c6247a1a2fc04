import { customFlag, stringFlag } from '@flannel-ts/go-flags';

export const DEFAULT_ETCD_ENDPOINTS = ['http://127.0.0.1:4001', 'http://127.0.0.1:2379'];

function parseEndpointList(text: string): string[] {
  const items = text.split(',');
  if (items.some((item) => item === '')) throw new Error('empty element in comma-separated list');
  return items;
}

/** flanneld's and flannelctl's `--etcd-endpoints` (FLANNELD_ETCD_ENDPOINTS). */
export const ETCD_ENDPOINTS_FLAG = {
  etcdEndpoints: customFlag<string[]>({
    name: 'etcd-endpoints',
    default: DEFAULT_ETCD_ENDPOINTS,
    valueName: 'string',
    help: 'comma-separated list of etcd endpoints',
    parse: parseEndpointList,
    describeDefault: (list) => JSON.stringify(list.join(',')),
  }),
};

/** How to reach etcd beyond its endpoints: the same flags in flanneld and flannel-route-manager. */
export const ETCD_ACCESS_FLAGS = {
  etcdPrefix: stringFlag({ name: 'etcd-prefix', default: '/coreos.com/network', help: 'etcd key prefix of the network' }),
  etcdKeyfile: stringFlag({ name: 'etcd-keyfile', help: 'TLS key file for authenticating to etcd' }),
  etcdCertfile: stringFlag({ name: 'etcd-certfile', help: 'TLS certificate file for authenticating to etcd' }),
  etcdCafile: stringFlag({ name: 'etcd-cafile', help: 'TLS CA bundle for verifying the etcd servers' }),
  etcdUsername: stringFlag({ name: 'etcd-username', help: 'username for etcd authentication' }),
  etcdPassword: stringFlag({ name: 'etcd-password', help: 'password for etcd authentication' }),
};

export interface EtcdAccessValues {
  readonly etcdKeyfile: string;
  readonly etcdCertfile: string;
  readonly etcdCafile: string;
  readonly etcdUsername: string;
  readonly etcdPassword: string;
}

/** What the etcd client needs (libs/subnet's EtcdConnectOptions): unset flags are left out. */
export interface EtcdAccess {
  readonly endpoints: readonly string[];
  readonly cafile?: string;
  readonly certfile?: string;
  readonly keyfile?: string;
  readonly username?: string;
  readonly password?: string;
}

export function etcdAccess(endpoints: readonly string[], v: EtcdAccessValues): EtcdAccess {
  return {
    endpoints,
    ...(v.etcdCafile ? { cafile: v.etcdCafile } : {}),
    ...(v.etcdCertfile ? { certfile: v.etcdCertfile } : {}),
    ...(v.etcdKeyfile ? { keyfile: v.etcdKeyfile } : {}),
    ...(v.etcdUsername ? { username: v.etcdUsername, password: v.etcdPassword } : {}),
  };
}
