// Every flanneld flag: Go flanneld v0.5.6's, v0.20's additions, ours, and glog's accepted-and-ignored
// ones. Names and defaults are flannel's; docs/compat.md says which are ours and what is not built yet.
import { ETCD_ACCESS_FLAGS, ETCD_ENDPOINTS_FLAG } from '@flannel-ts/cli';
import { parseLogFormat, type LogFormat } from '@flannel-ts/log';
import {
  boolFlag,
  customFlag,
  formatDurationMs,
  ignoredFlag,
  intFlag,
  stringFlag,
  stringListFlag,
} from '@flannel-ts/go-flags';
import {
  parseIPv4,
  parseIpMasqBackend,
  parseLeaseTtlMs,
  parseMinutesOrDurationMs,
  parseOptionalCommaList,
  parseOptionalIPv4,
  parsePort,
  parsePositiveDurationMs,
  parseRegexSource,
  parseResyncPeriodMs,
  type IpMasqBackend,
} from './flag-table-values.js';
import { DEFAULT_STATE_DIR, STATE_DIR_FLAG } from './code-cache-dir.js';

export const ENV_PREFIX = 'FLANNELD';

export const DEFAULT_LEASE_TTL_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_RENEW_MARGIN_MS = 60 * 60 * 1000;
export const DEFAULT_IPTABLES_RESYNC_MS = 5000;
export const DEFAULT_BACKEND_TIMEOUT_MS = 30_000;
export const DEFAULT_HEALTHZ_ETCD_GRACE_MS = 30_000;

const GLOG_IGNORED = 'accepted for compatibility with glog; ignored';

const quoted = (text: string): string => JSON.stringify(text);

export const FLANNELD_FLAGS = {
  ...ETCD_ENDPOINTS_FLAG,
  ...ETCD_ACCESS_FLAGS,

  publicIp: customFlag<string>({
    name: 'public-ip',
    default: '',
    valueName: 'string',
    help: 'IPv4 address advertised to other hosts (default: the address of the chosen interface)',
    parse: parseOptionalIPv4,
  }),
  publicIpv6: stringFlag({ name: 'public-ipv6', help: 'IPv6 address advertised to other hosts (not supported: IPv4 only)' }),
  ifaces: stringListFlag({
    name: 'iface',
    help: 'interface name or IPv4 address for traffic between hosts; repeat to try several in order\n(default: the interface of the default route)',
  }),
  ifaceRegexes: stringListFlag({
    name: 'iface-regex',
    help: 'regular expression matched against interface names and addresses; repeatable, tried after every -iface',
    parseItem: parseRegexSource,
  }),
  ifaceCanReach: customFlag<string>({
    name: 'iface-can-reach',
    default: '',
    valueName: 'string',
    help: 'use the interface the kernel routes through to reach this IPv4 address; tried last',
    parse: parseOptionalIPv4,
  }),

  subnetFile: stringFlag({ name: 'subnet-file', default: '/run/flannel/subnet.env', help: 'file the lease is written to as environment variables' }),
  subnetDir: stringFlag({ name: 'subnet-dir', default: '/run/flannel/networks', help: 'directory of per-network env files, for multi-network mode' }),
  subnetLeaseTtl: customFlag<number>({
    name: 'subnet-lease-ttl',
    default: DEFAULT_LEASE_TTL_MS,
    valueName: 'duration',
    help: 'lifetime of the subnet lease in etcd (whole seconds, at least 10s)',
    parse: parseLeaseTtlMs,
    describeDefault: formatDurationMs,
  }),
  subnetLeaseRenewMargin: customFlag<number>({
    name: 'subnet-lease-renew-margin',
    default: DEFAULT_RENEW_MARGIN_MS,
    valueName: 'minutes',
    help: 'renew the lease this long before it expires: minutes, or a duration such as 45m; must be below\nthe lease TTL (default 60, but at most a quarter of -subnet-lease-ttl)',
    parse: parseMinutesOrDurationMs,
  }),

  ipMasq: boolFlag({ name: 'ip-masq', help: 'masquerade traffic leaving the overlay network' }),
  ipMasqBackend: customFlag<IpMasqBackend>({
    name: 'ip-masq-backend',
    default: 'auto',
    valueName: 'string',
    help: 'firewall for the masquerade and forward rules: auto, iptables or nftables',
    parse: parseIpMasqBackend,
    describeDefault: quoted,
  }),
  iptablesResync: customFlag<number>({
    name: 'iptables-resync',
    default: DEFAULT_IPTABLES_RESYNC_MS,
    valueName: 'seconds',
    help: 'period of the firewall rule check: seconds, or a duration such as 30s',
    parse: parseResyncPeriodMs,
    describeDefault: (ms) => String(ms / 1000),
  }),
  iptablesForwardRules: boolFlag({ name: 'iptables-forward-rules', default: true, help: 'accept forwarded traffic of the overlay network (FLANNEL-FWD)' }),
  healthzIp: customFlag<string>({
    name: 'healthz-ip',
    default: '0.0.0.0',
    valueName: 'string',
    help: 'address the health endpoint listens on',
    parse: parseIPv4,
    describeDefault: quoted,
  }),
  healthzPort: customFlag<number>({
    name: 'healthz-port',
    default: 0,
    valueName: 'int',
    help: 'port of the health endpoint (/healthz, /readyz, /metrics, /status); 0 turns it off',
    parse: parsePort,
  }),
  healthzEtcdGrace: customFlag<number>({
    name: 'healthz-etcd-grace',
    default: DEFAULT_HEALTHZ_ETCD_GRACE_MS,
    valueName: 'duration',
    help: 'how long etcd may stay unreachable before /readyz answers 503',
    parse: parsePositiveDurationMs,
    describeDefault: formatDurationMs,
  }),
  backendTimeout: customFlag<number>({
    name: 'backend-timeout',
    default: DEFAULT_BACKEND_TIMEOUT_MS,
    valueName: 'duration',
    help: 'how long a backend may take to answer (its start, a new lease) before it is restarted',
    parse: parsePositiveDurationMs,
    describeDefault: formatDurationMs,
  }),
  stateDir: customFlag<string>({
    name: STATE_DIR_FLAG,
    default: DEFAULT_STATE_DIR,
    valueName: 'string',
    help: 'directory of per-daemon state (VXLAN MAC address, lock file)',
    parse: (text) => {
      if (text === '') throw new Error('must not be empty');
      return text;
    },
    describeDefault: quoted,
  }),

  listen: stringFlag({ name: 'listen', help: 'run as a server on [tcp://]host:port or fd://[N] (a socket passed by systemd)' }),
  remote: stringFlag({ name: 'remote', help: 'run as a client of the flannel server at host:port (instead of talking to etcd)' }),
  remoteKeyfile: stringFlag({ name: 'remote-keyfile', help: 'TLS key file for client/server communication' }),
  remoteCertfile: stringFlag({ name: 'remote-certfile', help: 'TLS certificate file for client/server communication' }),
  remoteCafile: stringFlag({ name: 'remote-cafile', help: 'TLS CA bundle for client/server communication (a server requires client certificates it signed)' }),
  networks: customFlag<string[]>({
    name: 'networks',
    default: [],
    valueName: 'string',
    help: 'comma-separated names of the networks to join (multi-network mode: <etcd-prefix>/<name>/config each)',
    parse: parseOptionalCommaList,
  }),
  watchNetworks: boolFlag({
    name: 'watch-networks',
    help: 'multi-network mode following networks appearing in and leaving etcd (all of them unless -networks names some)',
  }),

  help: boolFlag({ name: 'help', help: 'print this usage and exit', fromEnv: false }),
  version: boolFlag({ name: 'version', help: 'print the version and exit', fromEnv: false }),
  verbosity: intFlag({ name: 'v', valueName: 'level', help: 'log verbosity; 1 adds data-path messages' }),
  logFormat: customFlag<LogFormat | undefined>({
    name: 'log-format',
    default: undefined,
    valueName: 'string',
    help: 'log lines as json or text, the backends\' lines too (default text on a terminal, else json)',
    parse: parseLogFormat,
  }),

  logtostderr: ignoredFlag({ name: 'logtostderr', isBool: true, help: GLOG_IGNORED }),
  alsologtostderr: ignoredFlag({ name: 'alsologtostderr', isBool: true, help: GLOG_IGNORED }),
  logDir: ignoredFlag({ name: 'log_dir', isBool: false, help: GLOG_IGNORED }),
  stderrthreshold: ignoredFlag({ name: 'stderrthreshold', isBool: false, help: GLOG_IGNORED }),
  vmodule: ignoredFlag({ name: 'vmodule', isBool: false, help: GLOG_IGNORED }),
  logBacktraceAt: ignoredFlag({ name: 'log_backtrace_at', isBool: false, help: GLOG_IGNORED }),
};

export type FlanneldFlags = typeof FLANNELD_FLAGS;
