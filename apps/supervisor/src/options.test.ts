import { describe, expect, it } from 'vitest';
import { flanneldUsage, parseFlanneldArgs, type FlanneldOptions } from './options.js';
import { VERSION } from './version.js';

type Env = Record<string, string | undefined>;

function optionsOf(argv: string[], env: Env = {}): FlanneldOptions {
  const outcome = parseFlanneldArgs(argv, env);
  if (outcome.kind !== 'run') throw new Error(`expected a run, got exit ${outcome.code}: ${outcome.stderr}`);
  return outcome.options;
}

function exitOf(argv: string[], env: Env = {}): { code: number; stderr: string } {
  const outcome = parseFlanneldArgs(argv, env);
  if (outcome.kind !== 'exit') throw new Error(`expected an exit for ${JSON.stringify(argv)}`);
  return { code: outcome.code, stderr: outcome.stderr };
}

const USAGE = flanneldUsage('flanneld');
const HOUR = 3_600_000;
const MINUTE = 60_000;

describe('parseFlanneldArgs: defaults', () => {
  it("gives Go flanneld's defaults for no arguments and an empty environment", () => {
    expect(optionsOf([])).toEqual({
      etcdEndpoints: ['http://127.0.0.1:4001', 'http://127.0.0.1:2379'],
      etcdPrefix: '/coreos.com/network',
      etcdKeyfile: '',
      etcdCertfile: '',
      etcdCafile: '',
      etcdUsername: '',
      etcdPassword: '',
      publicIp: undefined,
      ifaces: [],
      ifaceRegexes: [],
      ifaceCanReach: undefined,
      subnetFile: '/run/flannel/subnet.env',
      subnetDir: '/run/flannel/networks',
      subnetLeaseTtlMs: 24 * HOUR,
      subnetLeaseRenewMarginMs: HOUR,
      ipMasq: false,
      ipMasqBackend: 'auto',
      iptablesResyncMs: 5_000,
      iptablesForwardRules: true,
      healthzIp: '0.0.0.0',
      healthzPort: 0,
      healthzEtcdGraceMs: 30_000,
      stateDir: '/var/lib/flannel',
      backendTimeoutMs: 30_000,
      verbosity: 0,
      listen: undefined,
      remote: undefined,
      remoteKeyfile: '',
      remoteCertfile: '',
      remoteCafile: '',
      networks: [],
      watchNetworks: false,
    } satisfies FlanneldOptions);
  });

  it('ignores unrelated and empty FLANNELD_* variables', () => {
    expect(optionsOf([], { FLANNELD_ETCD_PREFIX: '', FLANNELD_UNKNOWN: 'x', PATH: '/bin' }).etcdPrefix).toBe('/coreos.com/network');
  });
});

describe('parseFlanneldArgs: values from the command line and the environment', () => {
  it('drops trailing slashes of --etcd-prefix, which name the same keys (and so the same chains and state)', () => {
    expect(optionsOf(['--etcd-prefix=/coreos.com/network/']).etcdPrefix).toBe('/coreos.com/network');
    expect(optionsOf(['--etcd-prefix=/lab//']).etcdPrefix).toBe('/lab');
    expect(optionsOf(['--etcd-prefix=/']).etcdPrefix).toBe('/');
  });

  it('reads every kind of flag in both dash styles', () => {
    const o = optionsOf([
      '--etcd-endpoints=https://10.0.0.2:2379,https://10.0.0.3:2379',
      '-etcd-prefix', '/lab/network',
      '--etcd-keyfile', '/k', '--etcd-certfile=/c', '-etcd-cafile=/ca',
      '--etcd-username=flannel', '--etcd-password', 's3cret',
      '--public-ip=192.0.2.11',
      '--iface=eth0', '-iface', '192.0.2.11',
      '--iface-regex=^ens', '--iface-regex', '^eth[0-9]$',
      '--iface-can-reach=192.0.2.1',
      '--subnet-file=/tmp/subnet.env', '--subnet-dir=/tmp/nets',
      '--subnet-lease-ttl=2h', '--subnet-lease-renew-margin=20',
      '--ip-masq=false', '--ip-masq-backend=nftables',
      '--iptables-resync=30', '--iptables-forward-rules=false',
      '--healthz-ip=127.0.0.1', '--healthz-port=0',
      '--state-dir=/tmp/state', '-v=2',
    ]);
    expect(o).toMatchObject({
      etcdEndpoints: ['https://10.0.0.2:2379', 'https://10.0.0.3:2379'],
      etcdPrefix: '/lab/network',
      etcdKeyfile: '/k',
      etcdCertfile: '/c',
      etcdCafile: '/ca',
      etcdUsername: 'flannel',
      etcdPassword: 's3cret',
      publicIp: '192.0.2.11',
      ifaces: ['eth0', '192.0.2.11'],
      ifaceRegexes: ['^ens', '^eth[0-9]$'],
      ifaceCanReach: '192.0.2.1',
      subnetFile: '/tmp/subnet.env',
      subnetDir: '/tmp/nets',
      subnetLeaseTtlMs: 2 * HOUR,
      subnetLeaseRenewMarginMs: 20 * MINUTE,
      ipMasq: false,
      ipMasqBackend: 'nftables',
      iptablesResyncMs: 30_000,
      iptablesForwardRules: false,
      healthzIp: '127.0.0.1',
      healthzPort: 0,
      stateDir: '/tmp/state',
      verbosity: 2,
    });
  });

  it('reads the same settings from FLANNELD_* variables', () => {
    const o = optionsOf([], {
      FLANNELD_ETCD_ENDPOINTS: 'http://10.0.0.2:2379,http://10.0.0.3:2379',
      FLANNELD_ETCD_PREFIX: '/env/network',
      FLANNELD_ETCD_PASSWORD: 'pw',
      FLANNELD_PUBLIC_IP: '192.0.2.12',
      FLANNELD_IFACE: 'eth1',
      FLANNELD_IFACE_REGEX: '^en',
      FLANNELD_IFACE_CAN_REACH: '192.0.2.1',
      FLANNELD_SUBNET_LEASE_TTL: '1h',
      FLANNELD_SUBNET_LEASE_RENEW_MARGIN: '10m',
      FLANNELD_IP_MASQ_BACKEND: 'iptables',
      FLANNELD_IPTABLES_RESYNC: '1m',
      FLANNELD_IPTABLES_FORWARD_RULES: 'f',
      FLANNELD_STATE_DIR: '/srv/flannel',
      FLANNELD_V: '1',
      FLANNELD_LOG_FORMAT: 'text',
    });
    expect(o).toMatchObject({
      etcdEndpoints: ['http://10.0.0.2:2379', 'http://10.0.0.3:2379'],
      etcdPrefix: '/env/network',
      etcdPassword: 'pw',
      publicIp: '192.0.2.12',
      ifaces: ['eth1'],
      ifaceRegexes: ['^en'],
      ifaceCanReach: '192.0.2.1',
      subnetLeaseTtlMs: HOUR,
      subnetLeaseRenewMarginMs: 10 * MINUTE,
      ipMasqBackend: 'iptables',
      iptablesResyncMs: MINUTE,
      iptablesForwardRules: false,
      stateDir: '/srv/flannel',
      verbosity: 1,
      logFormat: 'text',
    });
  });

  it('lets the command line win over the environment, flag by flag', () => {
    const o = optionsOf(['--etcd-prefix=/cli', '-iface', 'eth0', '-iface', 'eth1'], {
      FLANNELD_ETCD_PREFIX: '/env',
      FLANNELD_IFACE: 'eth9',
      FLANNELD_SUBNET_FILE: '/env/subnet.env',
    });
    expect(o.etcdPrefix).toBe('/cli');
    expect(o.ifaces).toEqual(['eth0', 'eth1']);
    expect(o.subnetFile).toBe('/env/subnet.env');
  });

  it('gives a repeatable flag exactly one element from the environment', () => {
    expect(optionsOf([], { FLANNELD_IFACE: 'eth0,eth1' }).ifaces).toEqual(['eth0,eth1']);
    expect(optionsOf([], { FLANNELD_IFACE_REGEX: 'a,b' }).ifaceRegexes).toEqual(['a,b']);
  });

  it('treats an empty --public-ip or --iface-can-reach as not given', () => {
    const o = optionsOf(['--public-ip=', '--iface-can-reach=']);
    expect(o.publicIp).toBeUndefined();
    expect(o.ifaceCanReach).toBeUndefined();
  });

  it('accepts the glog flags and ignores them, keeping -v', () => {
    const o = optionsOf([
      '-logtostderr', '-alsologtostderr=true', '-log_dir', '/var/log/x', '-stderrthreshold', 'INFO',
      '-vmodule=main=2', '-log_backtrace_at=main.go:10', '-v', '3',
    ]);
    expect(o.verbosity).toBe(3);
    expect(optionsOf(['--logtostderr=false', '--log_dir=/tmp'], { FLANNELD_LOGTOSTDERR: 'true' }).verbosity).toBe(0);
  });

  it('parses the flags of features not built yet when they are off', () => {
    const o = optionsOf(['--ip-masq=false', '--healthz-port=0', '--networks=', '--watch-networks=false', '--listen=', '--public-ipv6=']);
    expect(o).toMatchObject({ ipMasq: false, healthzPort: 0, networks: [], watchNetworks: false, listen: undefined });
  });

  it('parses multi-network mode: --networks, --watch-networks, --subnet-dir (flags or FLANNELD_*)', () => {
    expect(optionsOf(['--networks=blue,red', '--subnet-dir=/run/nets'])).toMatchObject({ networks: ['blue', 'red'], watchNetworks: false, subnetDir: '/run/nets' });
    expect(optionsOf(['--watch-networks'])).toMatchObject({ networks: [], watchNetworks: true });
    expect(optionsOf([], { FLANNELD_NETWORKS: 'blue', FLANNELD_WATCH_NETWORKS: 'true' })).toMatchObject({ networks: ['blue'], watchNetworks: true });
  });
});

describe('parseFlanneldArgs: exit 2 for a bad command line, with usage', () => {
  it.each([
    [['--foo'], 'flag provided but not defined: -foo'],
    [['-ip-masq', '--kube-subnet-mgr'], 'flag provided but not defined: -kube-subnet-mgr'],
    [['--iface'], 'flag needs an argument: -iface'],
    [['---iface=eth0'], 'bad flag syntax: ---iface=eth0'],
    [['--ip-masq=yes'], 'invalid boolean value "yes" for -ip-masq: parse error'],
    [['--subnet-lease-ttl', 'abc'], 'invalid value "abc" for flag -subnet-lease-ttl: invalid duration "abc"'],
    [['--subnet-lease-ttl=9s'], 'invalid value "9s" for flag -subnet-lease-ttl: must be at least 10s'],
    [['--subnet-lease-ttl=10.5s'], 'invalid value "10.5s" for flag -subnet-lease-ttl: must be a whole number of seconds'],
    [['--subnet-lease-renew-margin=soon'], 'invalid value "soon" for flag -subnet-lease-renew-margin: want a number of minutes or a duration such as 45m or 1h30m'],
    [['--iptables-resync=0'], 'invalid value "0" for flag -iptables-resync: must be above zero'],
    [['--public-ip=1.2.3'], 'invalid value "1.2.3" for flag -public-ip: not an IPv4 address (want a dotted quad such as 192.0.2.11)'],
    [['--iface-can-reach=gateway'], 'invalid value "gateway" for flag -iface-can-reach: not an IPv4 address (want a dotted quad such as 192.0.2.11)'],
    [['--healthz-ip=localhost'], 'invalid value "localhost" for flag -healthz-ip: not an IPv4 address (want a dotted quad such as 192.0.2.11)'],
    [['--healthz-port=70000'], 'invalid value "70000" for flag -healthz-port: want a port number from 0 to 65535'],
    [['--healthz-port=http'], 'invalid value "http" for flag -healthz-port: parse error'],
    [['--healthz-etcd-grace=soon'], 'invalid value "soon" for flag -healthz-etcd-grace: invalid duration "soon"'],
    [['--healthz-etcd-grace=0s'], 'invalid value "0s" for flag -healthz-etcd-grace: must be above zero'],
    [['--ip-masq-backend=nft'], 'invalid value "nft" for flag -ip-masq-backend: want one of auto, iptables, nftables'],
    [['--log-format=pretty'], 'invalid value "pretty" for flag -log-format: want one of json, text'],
    [['--etcd-endpoints='], 'invalid value "" for flag -etcd-endpoints: empty element in comma-separated list'],
    [['--etcd-endpoints=http://a:2379,'], 'invalid value "http://a:2379," for flag -etcd-endpoints: empty element in comma-separated list'],
    [['--state-dir='], 'invalid value "" for flag -state-dir: must not be empty'],
    [['-v=high'], 'invalid value "high" for flag -v: parse error'],
    [['-logtostderr=maybe'], 'invalid boolean value "maybe" for -logtostderr: parse error'],
  ])('%j → %s', (argv, line) => {
    expect(exitOf(argv)).toEqual({ code: 2, stderr: `${line}\n${USAGE}` });
  });

  it('rejects a regular expression that does not compile, naming the flag', () => {
    const { code, stderr } = exitOf(['--iface-regex', 'eth[']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^invalid value "eth\[" for flag -iface-regex: not a valid regular expression: .+\nUsage: flanneld/);
  });

  it('fails on a bad flag even after --version or --help, as Go parses everything first', () => {
    expect(exitOf(['--version', '--bogus']).code).toBe(2);
    expect(exitOf(['--help', '--bogus']).code).toBe(2);
  });

  it('uses the given program name in the usage header', () => {
    const outcome = parseFlanneldArgs(['--foo'], {}, '/usr/bin/flanneld');
    expect(outcome).toMatchObject({ kind: 'exit', code: 2 });
    expect(outcome.kind === 'exit' && outcome.stderr).toContain('\nUsage: /usr/bin/flanneld [OPTION]...\n');
  });
});

describe('parseFlanneldArgs: exit 2 for a bad FLANNELD_* value, naming the variable', () => {
  it.each([
    [{ FLANNELD_IP_MASQ: 'x' }, 'invalid value "x" for FLANNELD_IP_MASQ: parse error'],
    [{ FLANNELD_LOG_FORMAT: 'yaml' }, 'invalid value "yaml" for FLANNELD_LOG_FORMAT: want one of json, text'],
    [{ FLANNELD_PUBLIC_IP: '192.0.2' }, 'invalid value "192.0.2" for FLANNELD_PUBLIC_IP: not an IPv4 address (want a dotted quad such as 192.0.2.11)'],
    [{ FLANNELD_SUBNET_LEASE_TTL: '5s' }, 'invalid value "5s" for FLANNELD_SUBNET_LEASE_TTL: must be at least 10s'],
    [{ FLANNELD_SUBNET_LEASE_RENEW_MARGIN: 'x' }, 'invalid value "x" for FLANNELD_SUBNET_LEASE_RENEW_MARGIN: want a number of minutes or a duration such as 45m or 1h30m'],
    [{ FLANNELD_HEALTHZ_PORT: '-1' }, 'invalid value "-1" for FLANNELD_HEALTHZ_PORT: want a port number from 0 to 65535'],
    [{ FLANNELD_HEALTHZ_ETCD_GRACE: '30' }, 'invalid value "30" for FLANNELD_HEALTHZ_ETCD_GRACE: missing unit in duration "30"'],
    [{ FLANNELD_V: 'debug' }, 'invalid value "debug" for FLANNELD_V: parse error'],
    [{ FLANNELD_LOGTOSTDERR: 'on' }, 'invalid value "on" for FLANNELD_LOGTOSTDERR: parse error'],
  ])('%j', (env, line) => {
    expect(exitOf([], env)).toEqual({ code: 2, stderr: `${line}\n` });
  });

  it('does not read a variable whose flag is on the command line', () => {
    expect(optionsOf(['--ip-masq=false'], { FLANNELD_IP_MASQ: 'x' }).ipMasq).toBe(false);
  });
});

describe('parseFlanneldArgs: help, version and positional arguments', () => {
  it.each([[['--help']], [['-help']], [['-h']], [['--h']], [['--help=true']], [['--ip-masq', '-h']]])(
    '%j prints usage and exits 0',
    (argv) => {
      expect(exitOf(argv)).toEqual({ code: 0, stderr: USAGE });
    },
  );

  it('runs normally with --help=false', () => {
    expect(parseFlanneldArgs(['--help=false'], {}).kind).toBe('run');
  });

  it.each([[['run']], [['--ip-masq', 'false']], [['--', 'x']], [['-']], [['--iface', 'eth0', 'extra']]])(
    '%j (positional arguments) prints usage and exits 0',
    (argv) => {
      expect(exitOf(argv)).toEqual({ code: 0, stderr: USAGE });
    },
  );

  it('runs with a bare "--"', () => {
    expect(parseFlanneldArgs(['--'], {}).kind).toBe('run');
  });

  it('prints the bare version and exits 0', () => {
    expect(exitOf(['--version'])).toEqual({ code: 0, stderr: `${VERSION}\n` });
    expect(exitOf(['-version=true'])).toEqual({ code: 0, stderr: '0.1.0\n' });
    expect(parseFlanneldArgs(['--version=false'], {}).kind).toBe('run');
  });

  it('checks help before version, as flannel v0.5 does', () => {
    expect(exitOf(['--version', '--help'])).toEqual({ code: 0, stderr: USAGE });
    expect(exitOf(['--version', 'extra'])).toEqual({ code: 0, stderr: USAGE });
  });

  it('checks help and version before the environment is read', () => {
    expect(exitOf(['--version'], { FLANNELD_IP_MASQ: 'garbage' })).toEqual({ code: 0, stderr: '0.1.0\n' });
    expect(exitOf(['--help'], { FLANNELD_LISTEN: ':8888' })).toEqual({ code: 0, stderr: USAGE });
  });

  it('never takes --help or --version from the environment', () => {
    expect(parseFlanneldArgs([], { FLANNELD_VERSION: 'true' }).kind).toBe('run');
    expect(parseFlanneldArgs([], { FLANNELD_HELP: 'true' }).kind).toBe('run');
    expect(parseFlanneldArgs([], { FLANNELD_VERSION: 'garbage' }).kind).toBe('run');
  });

  it('lists every flag, including those not supported yet, sorted, after the header', () => {
    expect(USAGE.startsWith('Usage: flanneld [OPTION]...\n  -alsologtostderr\n')).toBe(true);
    for (const name of ['listen', 'remote', 'remote-cafile', 'networks', 'watch-networks', 'public-ipv6', 'subnet-lease-ttl', 'state-dir', 'ip-masq-backend', 'log_dir']) {
      expect(USAGE, name).toMatch(new RegExp(`^  -${name}( |$)`, 'm'));
    }
    const names = [...USAGE.matchAll(/^ {2}-(\S+)/gm)].map((m) => m[1]!);
    expect(names).toEqual([...names].sort());
    expect(names).toHaveLength(42);
    expect(USAGE).toContain('  -etcd-endpoints string\n    \tcomma-separated list of etcd endpoints (default "http://127.0.0.1:4001,http://127.0.0.1:2379")\n');
    expect(USAGE).toContain('  -subnet-lease-ttl duration\n    \tlifetime of the subnet lease in etcd (whole seconds, at least 10s) (default 24h0m0s)\n');
    expect(USAGE).toContain('  -iptables-forward-rules\n    \taccept forwarded traffic of the overlay network (FLANNEL-FWD) (default true)\n');
    expect(USAGE.endsWith('\n')).toBe(true);
  });
});

describe('parseFlanneldArgs: exit 1 for features not supported', () => {
  it('refuses --listen with --remote first', () => {
    expect(exitOf(['--listen=:8888', '--remote=10.0.0.1:8888'])).toEqual({
      code: 1,
      stderr: '--listen and --remote are mutually exclusive\n',
    });
    expect(exitOf(['--listen=:8888'], { FLANNELD_REMOTE: '10.0.0.1:8888' }).stderr).toBe('--listen and --remote are mutually exclusive\n');
  });

  it('runs the health endpoint, its etcd grace from the command line or the environment', () => {
    expect(optionsOf(['--healthz-port=8471', '--healthz-etcd-grace=2s'])).toMatchObject({ healthzPort: 8471, healthzEtcdGraceMs: 2_000 });
    expect(optionsOf([], { FLANNELD_HEALTHZ_PORT: '8471', FLANNELD_HEALTHZ_ETCD_GRACE: '1m' })).toMatchObject({ healthzPort: 8471, healthzEtcdGraceMs: 60_000 });
  });

  it('runs the server mode with its TLS files', () => {
    const run = parseFlanneldArgs(['--listen', 'fd://', '--remote-cafile=/ca', '--remote-certfile=/c'], { FLANNELD_REMOTE_KEYFILE: '/k' });
    expect(run).toMatchObject({ kind: 'run', options: { listen: 'fd://', remoteCafile: '/ca', remoteCertfile: '/c', remoteKeyfile: '/k' } });
  });

  it('refuses any --public-ipv6 value', () => {
    expect(exitOf(['--public-ipv6=2001:db8::1'])).toEqual({ code: 1, stderr: '--public-ipv6 is not supported: flannel-ts is IPv4 only\n' });
    expect(exitOf([], { FLANNELD_PUBLIC_IPV6: 'x' }).code).toBe(1);
  });
});

describe('parseFlanneldArgs: client of a flannel server', () => {
  it('takes --remote and its TLS files from the command line or the environment', () => {
    const o = optionsOf(['--remote=192.0.2.5:8888', '--remote-cafile=/ca.pem', '--remote-certfile=/c.pem', '--remote-keyfile=/k.pem']);
    expect(o).toMatchObject({ remote: '192.0.2.5:8888', remoteCafile: '/ca.pem', remoteCertfile: '/c.pem', remoteKeyfile: '/k.pem' });
    expect(parseFlanneldArgs([], { FLANNELD_REMOTE: 'flannel-server:8888' })).toMatchObject({ kind: 'run', options: { remote: 'flannel-server:8888' } });
  });

  it.each(['192.0.2.5', 'http://192.0.2.5:8888', '192.0.2.5:port'])('refuses --remote=%s: it is host:port', (remote) => {
    expect(exitOf([`--remote=${remote}`])).toEqual({ code: 1, stderr: `--remote=${remote}: expected host:port\n` });
  });
});

describe('parseFlanneldArgs: lease TTL and renew margin', () => {
  it.each([
    ['24h', 24 * HOUR, HOUR],
    ['4h', 4 * HOUR, HOUR],
    ['2h', 2 * HOUR, 30 * MINUTE],
    ['1m', MINUTE, 15_000],
    ['10s', 10_000, 2_500],
    ['13s', 13_000, 3_250],
    ['72h', 72 * HOUR, HOUR],
  ])('TTL %s without an explicit margin → margin of min(60m, TTL/4)', (ttl, ttlMs, marginMs) => {
    const o = optionsOf([`--subnet-lease-ttl=${ttl}`]);
    expect(o.subnetLeaseTtlMs).toBe(ttlMs);
    expect(o.subnetLeaseRenewMarginMs).toBe(marginMs);
  });

  it('takes an explicit margin in minutes or as a duration, even above a quarter of the TTL', () => {
    expect(optionsOf(['--subnet-lease-renew-margin=30']).subnetLeaseRenewMarginMs).toBe(30 * MINUTE);
    expect(optionsOf(['--subnet-lease-renew-margin', '90s']).subnetLeaseRenewMarginMs).toBe(90_000);
    expect(optionsOf(['--subnet-lease-renew-margin=1439']).subnetLeaseRenewMarginMs).toBe(1439 * MINUTE);
    expect(optionsOf(['--subnet-lease-renew-margin=20h']).subnetLeaseRenewMarginMs).toBe(20 * HOUR);
    expect(optionsOf(['--subnet-lease-ttl=1h', '--subnet-lease-renew-margin=59']).subnetLeaseRenewMarginMs).toBe(59 * MINUTE);
    expect(optionsOf([], { FLANNELD_SUBNET_LEASE_TTL: '2h', FLANNELD_SUBNET_LEASE_RENEW_MARGIN: '90' }).subnetLeaseRenewMarginMs).toBe(90 * MINUTE);
  });

  it('counts an explicit 60 as explicit (checked against a short TTL)', () => {
    expect(exitOf(['--subnet-lease-ttl=1h', '--subnet-lease-renew-margin=60']).code).toBe(1);
  });

  it.each([
    [['--subnet-lease-renew-margin=0'], '0s', '24h0m0s'],
    [['--subnet-lease-renew-margin=-5'], '-5m0s', '24h0m0s'],
    [['--subnet-lease-renew-margin=1440'], '24h0m0s', '24h0m0s'],
    [['--subnet-lease-renew-margin=25h'], '25h0m0s', '24h0m0s'],
    [['--subnet-lease-ttl=30s', '--subnet-lease-renew-margin=1'], '1m0s', '30s'],
  ])('%j is out of range (exit 1, flannel\'s message)', (argv, margin, ttl) => {
    expect(exitOf(argv)).toEqual({
      code: 1,
      stderr:
        'Invalid subnet-lease-renew-margin option, out of acceptable range ' +
        `(${margin} is not above 0s and below -subnet-lease-ttl ${ttl})\n`,
    });
  });

  it('checks a margin from the environment the same way', () => {
    expect(exitOf([], { FLANNELD_SUBNET_LEASE_RENEW_MARGIN: '0' }).code).toBe(1);
  });
});
