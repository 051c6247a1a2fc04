import { describe, expect, it } from 'vitest';
import { formatIP4, parseIP4, parseIP4Net } from '@flannel-ts/ip';
import {
  NO_MATCHING_INTERFACE,
  selectExternalInterface,
  type ExternalInterface,
  type ExternalInterfaceOptions,
} from './select-external-interface.js';
import type { SnapshotInterface, SnapshotRoute, SystemSnapshot } from './snapshot.js';

function iface(name: string, index: number, cidrs: string[], mtu = 1500): SnapshotInterface {
  return {
    name,
    index,
    mtu,
    addrs: cidrs.map((cidr) => {
      const [ip = '', len = ''] = cidr.split('/');
      return { ip: parseIP4(ip), prefixLen: Number(len) };
    }),
  };
}

function route(dev: string, dst: string, opts: { via?: string; metric?: number } = {}): SnapshotRoute {
  return {
    iface: dev,
    dst: parseIP4Net(dst),
    ...(opts.via ? { gateway: parseIP4(opts.via) } : {}),
    metric: opts.metric ?? 0,
  };
}

const lo = iface('lo', 1, ['127.0.0.1/8']);
const eth0 = iface('eth0', 2, ['192.0.2.11/24', '192.0.2.21/24']);
const eth1 = iface('eth1', 3, ['198.51.100.12/24']);
const host: SystemSnapshot = {
  interfaces: [lo, eth0, eth1],
  routes: [
    route('eth0', '0.0.0.0/0', { via: '192.0.2.1', metric: 100 }),
    route('eth0', '192.0.2.0/24'),
    route('eth1', '198.51.100.0/24'),
  ],
};

function select(snapshot: SystemSnapshot, opts: Partial<ExternalInterfaceOptions> = {}): ExternalInterface {
  return selectExternalInterface(snapshot, { ifaces: [], ifaceRegexes: [], ...opts });
}

/** The parts worth comparing, addresses as text. */
function summary(result: ExternalInterface) {
  return { name: result.name, ifaceAddr: formatIP4(result.ifaceAddr), extAddr: formatIP4(result.extAddr) };
}

describe('selectExternalInterface without interface options', () => {
  it("uses the default route interface and logs Go flanneld v0.20's lines", () => {
    expect(select(host)).toEqual({
      name: 'eth0',
      index: 2,
      mtu: 1500,
      ifaceAddr: parseIP4('192.0.2.11'),
      extAddr: parseIP4('192.0.2.11'),
      logLines: [
        'Using interface with name eth0 and address 192.0.2.11',
        'Defaulting external address to interface address (192.0.2.11)',
      ],
    });
  });

  it('prefers the default route with the lowest metric, then the first listed', () => {
    const routes = [
      route('eth0', '0.0.0.0/0', { via: '192.0.2.1', metric: 100 }),
      route('eth1', '0.0.0.0/0', { via: '198.51.100.1', metric: 50 }),
      route('lo', '0.0.0.0/0', { metric: 50 }),
    ];
    expect(select({ ...host, routes }).name).toBe('eth1');
  });

  it('ignores routes that are not default routes', () => {
    const routes = [route('eth1', '0.0.0.0/1'), route('eth0', '0.0.0.0/0', { metric: 900 })];
    expect(select({ ...host, routes }).name).toBe('eth0');
  });

  it('fails without a default route', () => {
    expect(() => select({ ...host, routes: [route('eth0', '192.0.2.0/24')] })).toThrow(
      /^Unable to find default route$/,
    );
  });

  it('fails when the default route names an unknown interface', () => {
    expect(() => select({ ...host, routes: [route('eth7', '0.0.0.0/0')] })).toThrow(
      'Found default route but could not determine interface (no interface named eth7)',
    );
  });

  it('with --public-ip, uses the interface that owns it', () => {
    const result = select(host, { publicIp: '198.51.100.12' });
    expect(summary(result)).toEqual({ name: 'eth1', ifaceAddr: '198.51.100.12', extAddr: '198.51.100.12' });
    expect(result.logLines).toEqual([
      'Using interface with name eth1 and address 198.51.100.12',
      'Using 198.51.100.12 as external address',
    ]);
  });

  it('with a --public-ip no interface owns, falls back to the default route and advertises it', () => {
    const result = select(host, { publicIp: '203.0.113.99' });
    expect(summary(result)).toEqual({ name: 'eth0', ifaceAddr: '192.0.2.11', extAddr: '203.0.113.99' });
    expect(result.logLines).toEqual([
      'Failed to find interface to use that matches the public ip 203.0.113.99',
      'Using interface with name eth0 and address 192.0.2.11',
      'Using 203.0.113.99 as external address',
    ]);
  });

  it('with --public-ip on an interface whose MTU is unknown, falls back to the default route', () => {
    const snapshot = { ...host, interfaces: [lo, eth0, iface('eth1', 3, ['198.51.100.12/24'], 0)] };
    expect(select(snapshot, { publicIp: '198.51.100.12' }).name).toBe('eth0');
  });

  it('treats empty --public-ip and --iface-can-reach as unset', () => {
    expect(select(host, { publicIp: '', ifaceCanReach: '' }).logLines).toEqual([
      'Using interface with name eth0 and address 192.0.2.11',
      'Defaulting external address to interface address (192.0.2.11)',
    ]);
  });
});

describe('--iface', () => {
  it('finds an interface by name', () => {
    expect(summary(select(host, { ifaces: ['eth1'] }))).toEqual({
      name: 'eth1', ifaceAddr: '198.51.100.12', extAddr: '198.51.100.12',
    });
  });

  it('finds the interface carrying exactly the given IP and uses that IP', () => {
    expect(summary(select(host, { ifaces: ['192.0.2.21'] }))).toEqual({
      name: 'eth0', ifaceAddr: '192.0.2.21', extAddr: '192.0.2.21',
    });
  });

  it('does not match an IP that is only inside an interface subnet', () => {
    expect(() => select(host, { ifaces: ['192.0.2.50'] })).toThrow(
      `${NO_MATCHING_INTERFACE} (--iface 192.0.2.50: no interface has IPv4 address 192.0.2.50)`,
    );
  });

  it('tries values in order and logs the ones skipped', () => {
    const result = select(host, { ifaces: ['eth9', '203.0.113.1', 'eth1', 'eth0'] });
    expect(result.name).toBe('eth1');
    expect(result.logLines).toEqual([
      'Could not find valid interface matching eth9: no interface named eth9',
      'Could not find valid interface matching 203.0.113.1: no interface has IPv4 address 203.0.113.1',
      'Using interface with name eth1 and address 198.51.100.12',
      'Defaulting external address to interface address (198.51.100.12)',
    ]);
  });

  it('takes precedence over --iface-regex and --iface-can-reach', () => {
    const result = select(host, { ifaces: ['eth1'], ifaceRegexes: ['eth0'], ifaceCanReach: '192.0.2.99' });
    expect(result.name).toBe('eth1');
  });

  it('skips an interface without an IPv4 address and tries the next value', () => {
    const snapshot = { ...host, interfaces: [...host.interfaces, iface('eth2', 4, [])] };
    const result = select(snapshot, { ifaces: ['eth2', 'eth1'] });
    expect(result.name).toBe('eth1');
    expect(result.logLines[0]).toBe(
      'Could not find valid interface matching eth2: failed to find IPv4 address for interface eth2',
    );
  });

  it('skips an interface whose MTU is zero', () => {
    const snapshot = { ...host, interfaces: [lo, iface('eth0', 2, ['192.0.2.11/24'], 0), eth1] };
    expect(() => select(snapshot, { ifaces: ['eth0'] })).toThrow(
      `${NO_MATCHING_INTERFACE} (--iface eth0: failed to determine MTU for 192.0.2.11 interface (eth0))`,
    );
    expect(select(snapshot, { ifaces: ['eth0', 'eth1'] }).name).toBe('eth1');
  });

  it('never falls back to the default route when explicit options match nothing', () => {
    expect(() => select(host, { ifaces: ['eth9'], ifaceRegexes: ['^wl'] })).toThrow(
      `${NO_MATCHING_INTERFACE} (--iface eth9: no interface named eth9; --iface-regex ^wl: Could not match pattern ^wl ` +
        'to any of the available network interfaces (lo:[127.0.0.1], eth0:[192.0.2.11 192.0.2.21], eth1:[198.51.100.12]))',
    );
  });

  it('rejects an empty value', () => {
    expect(() => select(host, { ifaces: [''] })).toThrow('invalid --iface "": expected an interface name or IPv4 address');
  });
});

describe('--iface-regex', () => {
  it('matches an IPv4 address and uses the matching address, not the primary one', () => {
    expect(summary(select(host, { ifaceRegexes: ['\\.21$'] }))).toEqual({
      name: 'eth0', ifaceAddr: '192.0.2.21', extAddr: '192.0.2.21',
    });
  });

  it('matches an interface name and then uses its primary address', () => {
    expect(summary(select(host, { ifaceRegexes: ['^eth'] }))).toEqual({
      name: 'eth0', ifaceAddr: '192.0.2.11', extAddr: '192.0.2.11',
    });
  });

  it('walks interfaces in index order, whatever order the snapshot lists them in', () => {
    const snapshot = { ...host, interfaces: [eth1, lo, eth0] };
    expect(select(snapshot, { ifaceRegexes: ['^eth'] }).name).toBe('eth0');
    expect(select(snapshot, { ifaceRegexes: ['^(192|198)\\.'] }).name).toBe('eth0');
  });

  it('checks every address before any name, as flannel does', () => {
    expect(select(host, { ifaceRegexes: ['eth0|^198\\.'] }).name).toBe('eth1');
  });

  it('tries patterns in order', () => {
    const result = select(host, { ifaceRegexes: ['^wlan', '^eth1$', '^eth0$'] });
    expect(result.name).toBe('eth1');
    expect(result.logLines[0]).toMatch(/^Could not find valid interface matching \^wlan: Could not match pattern \^wlan/);
  });

  it('rejects an invalid pattern naming it, before trying anything', () => {
    expect(() => select(host, { ifaces: ['eth0'], ifaceRegexes: ['eth(0'] })).toThrow(
      /^invalid --iface-regex "eth\(0": Invalid regular expression/,
    );
  });
});

describe('--iface-can-reach', () => {
  const routes = [
    route('eth0', '0.0.0.0/0', { via: '192.0.2.1', metric: 100 }),
    route('eth0', '192.0.2.0/24'),
    route('eth1', '198.51.100.0/24'),
    route('eth2', '198.51.100.128/25', { metric: 20 }),
    route('eth3', '198.51.100.128/25', { metric: 10 }),
  ];
  const snapshot: SystemSnapshot = {
    interfaces: [
      lo,
      iface('eth0', 2, ['10.1.0.5/16', '192.0.2.11/24']),
      eth1,
      iface('eth2', 4, ['198.51.100.130/25']),
      iface('eth3', 5, ['198.51.100.131/25']),
    ],
    routes,
  };

  it('uses the longest matching prefix', () => {
    expect(select(snapshot, { ifaceCanReach: '198.51.100.5' }).name).toBe('eth1');
  });

  it('breaks a prefix tie by the lowest metric', () => {
    expect(summary(select(snapshot, { ifaceCanReach: '198.51.100.200' }))).toEqual({
      name: 'eth3', ifaceAddr: '198.51.100.131', extAddr: '198.51.100.131',
    });
  });

  it('falls through to the default route, using the address on the gateway subnet', () => {
    expect(summary(select(snapshot, { ifaceCanReach: '203.0.113.1' }))).toEqual({
      name: 'eth0', ifaceAddr: '192.0.2.11', extAddr: '192.0.2.11',
    });
  });

  it('fails naming the target when no route reaches it', () => {
    const noDefault = { ...snapshot, routes: routes.slice(1) };
    expect(() => select(noDefault, { ifaceCanReach: '203.0.113.1' })).toThrow(
      `${NO_MATCHING_INTERFACE} (--iface-can-reach 203.0.113.1: no route to 203.0.113.1)`,
    );
  });

  it('is tried only after --iface and --iface-regex', () => {
    const result = select(snapshot, { ifaces: ['eth9'], ifaceRegexes: ['^wlan'], ifaceCanReach: '198.51.100.5' });
    expect(result.name).toBe('eth1');
    expect(result.logLines).toHaveLength(4);
  });

  it('rejects a value that is not an IPv4 address', () => {
    expect(() => select(snapshot, { ifaceCanReach: 'gateway.example' })).toThrow(
      'invalid --iface-can-reach "gateway.example": expected an IPv4 address',
    );
  });
});

describe('interface address', () => {
  const routes = [route('eth0', '0.0.0.0/0')];

  it('prefers a global unicast address over an earlier link-local one', () => {
    const snapshot = { interfaces: [iface('eth0', 2, ['169.254.3.4/16', '192.0.2.11/24'])], routes };
    expect(formatIP4(select(snapshot).ifaceAddr)).toBe('192.0.2.11');
  });

  it('falls back to a link-local address', () => {
    const snapshot = { interfaces: [iface('eth0', 2, ['127.0.0.2/8', '169.254.3.4/16'])], routes };
    expect(formatIP4(select(snapshot).ifaceAddr)).toBe('169.254.3.4');
  });

  it('fails naming the interface when it has no usable IPv4 address', () => {
    const snapshot = { interfaces: [iface('eth0', 2, ['127.0.0.2/8'])], routes };
    expect(() => select(snapshot)).toThrow(/^failed to find IPv4 address for interface eth0$/);
  });

  it('fails when the MTU is zero', () => {
    const snapshot = { interfaces: [iface('eth0', 2, ['192.0.2.11/24'], 0)], routes };
    expect(() => select(snapshot)).toThrow('failed to determine MTU for 192.0.2.11 interface (eth0)');
  });
});

describe('--public-ip with explicit options', () => {
  it('keeps the chosen interface and advertises the public IP', () => {
    const result = select(host, { ifaces: ['eth1'], publicIp: '203.0.113.7' });
    expect(summary(result)).toEqual({ name: 'eth1', ifaceAddr: '198.51.100.12', extAddr: '203.0.113.7' });
    expect(result.logLines).toEqual([
      'Using interface with name eth1 and address 198.51.100.12',
      'Using 203.0.113.7 as external address',
    ]);
  });

  it('rejects a value that is not an IPv4 address', () => {
    expect(() => select(host, { publicIp: '2001:db8::1' })).toThrow(
      'invalid --public-ip "2001:db8::1": expected an IPv4 address',
    );
  });
});
