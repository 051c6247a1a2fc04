import { describe, expect, it } from 'vitest';
import { formatIP4, formatIP4Net } from '@flannel-ts/ip';
import { parseProcNetRoute } from './proc-net-route.js';
import type { SnapshotRoute } from './snapshot.js';

const HEADER = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT';

function table(...rows: string[]): string {
  return [HEADER, ...rows].map((line) => `${line}                \n`).join('');
}

function readable(routes: SnapshotRoute[]) {
  return routes.map((r) => ({
    iface: r.iface,
    dst: formatIP4Net(r.dst),
    gateway: r.gateway === undefined ? undefined : formatIP4(r.gateway),
    metric: r.metric,
  }));
}

describe('parseProcNetRoute', () => {
  it('decodes a little-endian host table (as printed by the kernel)', () => {
    const text = table(
      'eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0',
      'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
      'eth1\t8064330A\t00000000\t0005\t0\t0\t7\tFFFFFFFF\t0\t0\t0',
    );
    expect(readable(parseProcNetRoute(text, 'LE'))).toEqual([
      { iface: 'eth0', dst: '0.0.0.0/0', gateway: '192.0.2.1', metric: 100 },
      { iface: 'eth0', dst: '192.0.2.0/24', gateway: undefined, metric: 0 },
      { iface: 'eth1', dst: '10.51.100.128/32', gateway: undefined, metric: 7 },
    ]);
  });

  it('decodes a big-endian host table', () => {
    const text = table('eth0\tC0000200\t00000000\t0001\t0\t0\t0\tFFFFFF00\t0\t0\t0');
    expect(readable(parseProcNetRoute(text, 'BE'))).toEqual([
      { iface: 'eth0', dst: '192.0.2.0/24', gateway: undefined, metric: 0 },
    ]);
  });

  it('leaves out routes that are down, reject routes and device-less routes', () => {
    const text = table(
      'eth0\t000200C0\t00000000\t0000\t0\t0\t0\t00FFFFFF\t0\t0\t0',
      'eth0\t006433C6\t00000000\t0201\t0\t0\t0\t00FFFFFF\t0\t0\t0',
      '*\t007100CB\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
    );
    expect(parseProcNetRoute(text, 'LE')).toEqual([]);
  });

  it('ignores the gateway field unless the route has RTF_GATEWAY', () => {
    const text = table('eth0\t000200C0\t010200C0\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0');
    expect(parseProcNetRoute(text, 'LE')[0]?.gateway).toBeUndefined();
  });

  it('rejects a short line, naming it', () => {
    expect(() => parseProcNetRoute(table('eth0\t00000000\t00000000'), 'LE')).toThrow(
      /^\/proc\/net\/route line 2: expected at least 8 fields, got 3/,
    );
  });

  it('rejects a bad hex field and a non-contiguous mask, naming the field', () => {
    expect(() => parseProcNetRoute(table('eth0\tZZ000000\t00000000\t0001\t0\t0\t0\t00FFFFFF'), 'LE')).toThrow(
      '/proc/net/route line 2: invalid Destination "ZZ000000"',
    );
    expect(() => parseProcNetRoute(table('eth0\t00000000\t00000000\t0001\t0\t0\t0\t00FF00FF'), 'LE')).toThrow(
      '/proc/net/route line 2: Mask ff00ff00 is not a contiguous prefix',
    );
  });
});
