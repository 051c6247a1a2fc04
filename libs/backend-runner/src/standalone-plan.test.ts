import type { SystemSnapshot } from '@flannel-ts/iface';
import { parseIP4, parseIP4Net } from '@flannel-ts/ip';
import { describe, expect, test } from 'vitest';
import { parseBackendArgs } from './backend-flags.js';
import { planStandalone, type StandalonePlan } from './standalone-plan.js';
import { UsageError } from './usage-error.js';

const snapshot: SystemSnapshot = {
  interfaces: [
    { name: 'lo', index: 1, mtu: 65536, addrs: [{ ip: parseIP4('127.0.0.1'), prefixLen: 8 }] },
    { name: 'eth0', index: 2, mtu: 1500, addrs: [{ ip: parseIP4('192.0.2.2'), prefixLen: 24 }] },
    { name: 'eth1', index: 3, mtu: 9000, addrs: [{ ip: parseIP4('198.51.100.7'), prefixLen: 24 }] },
  ],
  routes: [{ iface: 'eth0', dst: parseIP4Net('0.0.0.0/0'), gateway: parseIP4('192.0.2.1'), metric: 0 }],
};

async function plan(argv: string[]): Promise<StandalonePlan> {
  const args = parseBackendArgs('host-gw', 'flannel-backend-host-gw', argv, false);
  if (args.kind !== 'run') throw new Error(`flags refused: ${args.stderr}`);
  return planStandalone(args.flags, args.sources, { cwd: '/work', readSnapshot: async () => snapshot });
}

describe('planStandalone', () => {
  test('makes init, the own lease and the peers from flags, choosing the interface as flanneld', async () => {
    const result = await plan([
      '-network=10.244.0.0/16',
      '-subnet=10.244.1.0/24',
      '-state-dir=state',
      '-peer=10.244.2.0/24=192.0.2.12',
      '-peer=10.244.3.0/24=192.0.2.13,{"VtepMAC":"5a:1f:0c:2e:33:9b"}',
      '-v=1',
    ]);
    expect(result.init).toEqual({
      v: 1,
      type: 'init',
      config: {
        network: parseIP4Net('10.244.0.0/16'),
        subnetLen: 24,
        subnetMin: parseIP4('10.244.1.0'),
        subnetMax: parseIP4('10.244.255.0'),
        backend: { Type: 'host-gw' },
      },
      iface: { name: 'eth0', index: 2, mtu: 1500, ifaceAddr: parseIP4('192.0.2.2'), extAddr: parseIP4('192.0.2.2') },
      stateDir: '/work/state',
      daemonId: 'standalone',
      verbosity: 1,
    });
    expect(result.lease).toEqual({ subnet: parseIP4Net('10.244.1.0/24'), publicIp: parseIP4('192.0.2.2') });
    expect(result.peers).toEqual([
      { subnet: parseIP4Net('10.244.2.0/24'), publicIp: parseIP4('192.0.2.12') },
      { subnet: parseIP4Net('10.244.3.0/24'), publicIp: parseIP4('192.0.2.13'), backendData: { VtepMAC: '5a:1f:0c:2e:33:9b' } },
    ]);
    expect(result.stdin).toBe(false);
    expect(result.logLines).toContain('Using interface with name eth0 and address 192.0.2.2');
  });

  test('-iface by name or address, -public-ip, -mtu, -subnet-len and -backend-config', async () => {
    const result = await plan([
      '-network=10.0.0.0/8',
      '-subnet-len=20',
      '-iface=198.51.100.7',
      '-public-ip=203.0.113.9',
      '-mtu=1400',
      '-backend-config={"Type":"host-gw","Extra":true}',
      '-state-dir=/run/x',
      '-daemon-id=lab1',
    ]);
    expect(result.init).toMatchObject({
      config: { subnetLen: 20, backend: { Type: 'host-gw', Extra: true } },
      iface: { name: 'eth1', index: 3, mtu: 1400, ifaceAddr: parseIP4('198.51.100.7'), extAddr: parseIP4('203.0.113.9') },
      stateDir: '/run/x',
      daemonId: 'lab1',
    });
    expect(result.lease).toBeUndefined();
    expect((await plan(['-network=10.244.0.0/16', '-iface=lo', '-iface=eth1', '-state-dir=/s'])).init?.iface.name).toBe('eth1');
  });

  test('only -stdin: everything comes from stdin', async () => {
    expect(await plan(['-stdin'])).toEqual({ peers: [], stdin: true, logLines: [] });
  });

  test.each<[string, string[], string | RegExp]>([
    ['no flags at all', [], 'nothing to do: give -network (with -subnet and -peer) and/or -stdin'],
    ['-subnet without -network', ['-stdin', '-subnet=10.244.1.0/24'], 'flag -subnet needs -network (the flags make init only with it)'],
    ['-iface without -network', ['-iface=eth0'], 'flag -iface needs -network (the flags make init only with it)'],
    ['a bad -network', ['-network=10.244.0.0', '-state-dir=/s'], 'invalid -network "10.244.0.0": expected an IPv4 prefix like 10.244.0.0/16'],
    ['a too small network', ['-network=10.244.0.0/30', '-state-dir=/s'], 'invalid -network: network is too small. Minimum useful network prefix is /28 (got 10.244.0.0/30)'],
    ['a bad -subnet-len', ['-network=10.244.0.0/16', '-subnet-len=17', '-state-dir=/s'], 'invalid -subnet-len: network must be able to accommodate at least four subnets (got /17 for Network 10.244.0.0/16; needs /18 or longer)'],
    ['-backend-config not JSON', ['-network=10.244.0.0/16', '-backend-config={', '-state-dir=/s'], /^invalid -backend-config: not JSON: Expected property name .* position 1/],
    ['-backend-config not an object', ['-network=10.244.0.0/16', '-backend-config=[]', '-state-dir=/s'], 'invalid -backend-config: must be a JSON object like {"Type":"vxlan"}'],
    ['no -state-dir', ['-network=10.244.0.0/16'], 'flag -state-dir is required with -network (the backend lock lives there)'],
    ['a negative -mtu', ['-network=10.244.0.0/16', '-state-dir=/s', '-mtu=-1'], 'invalid -mtu -1: must not be negative'],
    ['-subnet of the wrong size', ['-network=10.244.0.0/16', '-state-dir=/s', '-subnet=10.244.0.0/25'], 'invalid -subnet 10.244.0.0/25: expected a /24 inside 10.244.0.0/16'],
    ['-subnet outside the network', ['-network=10.244.0.0/16', '-state-dir=/s', '-subnet=10.245.0.0/24'], 'invalid -subnet 10.245.0.0/24: expected a /24 inside 10.244.0.0/16'],
    ['-subnet with host bits', ['-network=10.244.0.0/16', '-state-dir=/s', '-subnet=10.244.1.1/24'], 'invalid -subnet "10.244.1.1/24": expected an IPv4 prefix with its host bits clear'],
    ['-peer without -subnet', ['-network=10.244.0.0/16', '-state-dir=/s', '-peer=10.244.2.0/24=192.0.2.12'], 'flag -peer needs -subnet (peers follow the own lease)'],
    ['a bad -daemon-id', ['-network=10.244.0.0/16', '-state-dir=/s', '-daemon-id=a b'], 'the flags make an invalid init: daemonId: "a b" is not 1-64 characters of [A-Za-z0-9_.-]'],
  ])('refuses %s', async (_name, argv, message) => {
    const error = await plan(argv).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    if (typeof message === 'string') expect((error as Error).message).toBe(message);
    else expect((error as Error).message).toMatch(message);
  });

  test('an interface that is not there is the environment’s fault, not a usage error', async () => {
    const error = await plan(['-network=10.244.0.0/16', '-state-dir=/s', '-iface=wlan0']).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain('--iface wlan0: no interface named wlan0');
  });
});
