// The original flannel-route-manager's flags (Go flag syntax, single dash), plus -etcd-endpoints and
// flanneld's etcd TLS/auth flags, -aws-route-table for -backend=aws, -v, -help and -version.
import { ETCD_ACCESS_FLAGS } from '@flannel-ts/cli';
import { boolFlag, customFlag, formatDurationMs, intFlag, stringFlag } from '@flannel-ts/go-flags';
import { parseEndpoint, parseEndpointList, parseRouteTableId, parseSyncIntervalMs } from './flag-values.js';

export const ENV_PREFIX = 'FLANNEL_ROUTE_MANAGER';
export const DEFAULT_SYNC_INTERVAL_MS = 30_000;

const quoted = (text: string): string => JSON.stringify(text);

export const ROUTE_MANAGER_FLAGS = {
  backend: stringFlag({ name: 'backend', default: 'google', help: 'route provider: google (GCE routes) or aws (an EC2 route table)' }),
  etcdEndpoint: customFlag<string>({
    name: 'etcd-endpoint',
    default: 'http://127.0.0.1:4001',
    valueName: 'string',
    help: 'etcd endpoint (-etcd-endpoints wins when given)',
    parse: parseEndpoint,
    describeDefault: quoted,
  }),
  etcdEndpoints: customFlag<string[]>({
    name: 'etcd-endpoints',
    default: [],
    valueName: 'string',
    help: 'comma-separated list of etcd endpoints (every member of a cluster)',
    parse: parseEndpointList,
  }),
  ...ETCD_ACCESS_FLAGS,
  syncInterval: customFlag<number>({
    name: 'sync-interval',
    default: DEFAULT_SYNC_INTERVAL_MS,
    valueName: 'seconds',
    help: 'time between full reconciliations: seconds, or a duration such as 5m',
    parse: parseSyncIntervalMs,
    describeDefault: (ms) => (ms % 1_000 === 0 ? String(ms / 1_000) : formatDurationMs(ms)),
  }),
  deleteAllRoutes: boolFlag({ name: 'delete-all-routes', help: 'delete every route this manager owns and exit' }),
  awsRouteTable: customFlag<string>({
    name: 'aws-route-table',
    default: '',
    valueName: 'string',
    help: "with -backend=aws: the route table (rtb-<id>); default: the table of this instance's subnet,\nelse the VPC's main table",
    parse: parseRouteTableId,
  }),
  verbosity: intFlag({ name: 'v', valueName: 'level', help: 'log verbosity; 1 adds debug messages' }),
  help: boolFlag({ name: 'help', help: 'print this usage and exit', fromEnv: false }),
  version: boolFlag({ name: 'version', help: 'print the version and exit', fromEnv: false }),
};

export type RouteManagerFlags = typeof ROUTE_MANAGER_FLAGS;
