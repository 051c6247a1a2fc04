import { envVariableName, parseCommandLine } from '@flannel-ts/go-flags';
import { describe, expect, it } from 'vitest';
import { ENV_PREFIX, FLANNELD_FLAGS } from './flag-table.js';

const byName = new Map(Object.values(FLANNELD_FLAGS).map((def) => [def.name, def]));

describe('the flanneld flag table', () => {
  it('has every flag of flannel v0.5.6, the v0.20 additions, ours and the glog ones', () => {
    const expected = [
      // v0.5.6
      'etcd-endpoints', 'etcd-prefix', 'etcd-keyfile', 'etcd-certfile', 'etcd-cafile', 'etcd-username', 'etcd-password',
      'public-ip', 'iface', 'subnet-file', 'subnet-dir', 'ip-masq', 'listen', 'remote', 'remote-keyfile',
      'remote-certfile', 'remote-cafile', 'networks', 'watch-networks', 'help', 'version', 'v',
      // v0.20 additions
      'iface-regex', 'iface-can-reach', 'subnet-lease-renew-margin', 'healthz-ip', 'healthz-port', 'iptables-resync',
      'iptables-forward-rules', 'public-ipv6',
      // flannel-ts
      'subnet-lease-ttl', 'state-dir', 'ip-masq-backend', 'backend-timeout', 'healthz-etcd-grace', 'log-format',
      // glog, accepted and ignored
      'logtostderr', 'alsologtostderr', 'log_dir', 'stderrthreshold', 'vmodule', 'log_backtrace_at',
    ];
    expect([...byName.keys()].sort()).toEqual([...expected].sort());
    expect(() => parseCommandLine(FLANNELD_FLAGS, [])).not.toThrow(); // no name defined twice
  });

  it("uses Go flanneld's defaults", () => {
    const { values } = parseCommandLine(FLANNELD_FLAGS, []);
    expect(values).toMatchObject({
      etcdEndpoints: ['http://127.0.0.1:4001', 'http://127.0.0.1:2379'],
      etcdPrefix: '/coreos.com/network',
      subnetFile: '/run/flannel/subnet.env',
      subnetDir: '/run/flannel/networks',
      ipMasq: false,
      subnetLeaseTtl: 86_400_000,
      subnetLeaseRenewMargin: 3_600_000,
      healthzIp: '0.0.0.0',
      healthzPort: 0,
      iptablesResync: 5_000,
      iptablesForwardRules: true,
      stateDir: '/var/lib/flannel',
      ipMasqBackend: 'auto',
      verbosity: 0,
      ifaces: [],
      ifaceRegexes: [],
    });
  });

  it('maps flags to the documented FLANNELD_* variables', () => {
    expect(envVariableName(ENV_PREFIX, 'etcd-endpoints')).toBe('FLANNELD_ETCD_ENDPOINTS');
    expect(envVariableName(ENV_PREFIX, 'ip-masq')).toBe('FLANNELD_IP_MASQ');
    expect(envVariableName(ENV_PREFIX, 'iface')).toBe('FLANNELD_IFACE');
    expect(envVariableName(ENV_PREFIX, 'public-ip')).toBe('FLANNELD_PUBLIC_IP');
    expect(envVariableName(ENV_PREFIX, 'subnet-lease-renew-margin')).toBe('FLANNELD_SUBNET_LEASE_RENEW_MARGIN');
  });

  it('keeps booleans booleans, so "-ip-masq false" cannot swallow "false"', () => {
    for (const name of ['ip-masq', 'watch-networks', 'help', 'version', 'iptables-forward-rules', 'logtostderr', 'alsologtostderr']) {
      expect(byName.get(name)?.isBool, name).toBe(true);
    }
    expect(byName.get('log_dir')?.isBool).toBe(false);
    expect(byName.get('v')?.isBool).toBe(false);
  });

  it('never reads help or version from the environment', () => {
    expect(byName.get('help')?.fromEnv).toBe(false);
    expect(byName.get('version')?.fromEnv).toBe(false);
    expect([...byName.values()].filter((def) => !def.fromEnv).map((def) => def.name).sort()).toEqual(['help', 'version']);
  });
});
