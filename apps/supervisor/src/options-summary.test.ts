import { describe, expect, it } from 'vitest';
import { parseFlanneldArgs, summarizeOptions, type FlanneldOptions } from './options.js';

function optionsOf(argv: string[]): FlanneldOptions {
  const outcome = parseFlanneldArgs(argv, {});
  if (outcome.kind !== 'run') throw new Error(outcome.stderr);
  return outcome.options;
}

describe('summarizeOptions', () => {
  it('summarizes the defaults with readable durations', () => {
    expect(summarizeOptions(optionsOf([]))).toEqual({
      etcdEndpoints: ['http://127.0.0.1:4001', 'http://127.0.0.1:2379'],
      etcdPrefix: '/coreos.com/network',
      etcdKeyfile: '',
      etcdCertfile: '',
      etcdCafile: '',
      etcdUsername: '',
      etcdPassword: '',
      publicIp: '',
      ifaces: [],
      ifaceRegexes: [],
      ifaceCanReach: '',
      subnetFile: '/run/flannel/subnet.env',
      subnetLeaseTtl: '24h0m0s',
      subnetLeaseRenewMargin: '1h0m0s',
      ipMasq: false,
      ipMasqBackend: 'auto',
      iptablesResync: '5s',
      iptablesForwardRules: true,
      healthz: 'off',
      stateDir: '/var/lib/flannel',
      backendTimeout: '30s',
      verbosity: 0,
    });
  });

  it('redacts the etcd password and passwords inside endpoint URLs', () => {
    const summary = summarizeOptions(
      optionsOf([
        '--etcd-username=flannel',
        '--etcd-password=hunter2',
        '--etcd-endpoints=https://root:pa:ss@10.0.0.2:2379,http://10.0.0.3:2379,http://user@10.0.0.4:2379',
      ]),
    );
    expect(summary.etcdUsername).toBe('flannel');
    expect(summary.etcdPassword).toBe('<redacted>');
    expect(summary.etcdEndpoints).toEqual([
      'https://root:<redacted>@10.0.0.2:2379',
      'http://10.0.0.3:2379',
      'http://user@10.0.0.4:2379',
    ]);
    expect(JSON.stringify(summary)).not.toMatch(/hunter2|pa:ss/);
  });

  it('shows the renew margin in effect and other chosen values', () => {
    const summary = summarizeOptions(optionsOf(['--subnet-lease-ttl=2h', '--public-ip=192.0.2.11', '--iptables-resync=90s']));
    expect(summary).toMatchObject({ subnetLeaseTtl: '2h0m0s', subnetLeaseRenewMargin: '30m0s', publicIp: '192.0.2.11', iptablesResync: '1m30s' });
  });

  it('shows the health endpoint and modes when they are set', () => {
    const base = optionsOf([]);
    const summary = summarizeOptions({ ...base, healthzPort: 8471, networks: ['blue'], listen: ':8888' });
    expect(summary).toMatchObject({ healthz: '0.0.0.0:8471', networks: ['blue'], subnetDir: '/run/flannel/networks', listen: ':8888' });
  });
});
