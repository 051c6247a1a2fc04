// flannelctl's flags: flanneld's own for reaching etcd and the health endpoint (same names, same
// FLANNELD_* variables), and flannelctl's, which the environment does not set.
import { ETCD_ACCESS_FLAGS, ETCD_ENDPOINTS_FLAG } from '@flannel-ts/cli';
import { boolFlag, customFlag, parseGoInt } from '@flannel-ts/go-flags';
import { tryParseIP4 } from '@flannel-ts/ip';

export const ENV_PREFIX = 'FLANNELD';

const quoted = (text: string): string => JSON.stringify(text);

function parseHealthzIp(text: string): string {
  if (tryParseIP4(text) === undefined) throw new Error('want an IPv4 address');
  return text;
}

function parsePort(text: string): number {
  const port = parseGoInt(text);
  if (port < 0 || port > 65535) throw new Error('want a port number from 0 to 65535');
  return port;
}

function parseNetworkName(text: string): string {
  if (text === '' || text.includes('/')) throw new Error('want a network name (a <etcd-prefix>/<name>/config key), without "/"');
  return text;
}

export const FLANNELCTL_FLAGS = {
  ...ETCD_ENDPOINTS_FLAG,
  ...ETCD_ACCESS_FLAGS,
  healthzIp: customFlag<string>({
    name: 'healthz-ip',
    default: '0.0.0.0',
    valueName: 'string',
    help: "address of flanneld's health endpoint (0.0.0.0 means this host, 127.0.0.1)",
    parse: parseHealthzIp,
    describeDefault: quoted,
  }),
  healthzPort: customFlag<number>({
    name: 'healthz-port',
    default: 0,
    valueName: 'int',
    help: "port of flanneld's health endpoint (status needs it)",
    parse: parsePort,
  }),
  network: customFlag<string>({
    name: 'network',
    default: '',
    valueName: 'name',
    help: 'a network of multi-network mode: <etcd-prefix>/<name>/config and its subnets',
    parse: parseNetworkName,
    fromEnv: false,
  }),
  json: boolFlag({ name: 'json', help: 'print JSON for scripts instead of a table', fromEnv: false }),
  all: boolFlag({ name: 'all', help: 'free: list every free subnet, not only the first ones', fromEnv: false }),
  version: boolFlag({ name: 'version', help: 'print the version and exit', fromEnv: false }),
};

export type FlannelctlFlags = typeof FLANNELCTL_FLAGS;
