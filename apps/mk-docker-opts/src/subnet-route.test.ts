import { parseIP4, parseIP4Net } from '@flannel-ts/ip';
import type { SnapshotRoute } from '@flannel-ts/iface';
import { describe, expect, test } from 'vitest';
import { findGatewayRouteFor } from './subnet-route.js';

const route = (dst: string, gateway?: string, metric = 0, iface = 'eth0'): SnapshotRoute => ({
  iface,
  dst: parseIP4Net(dst),
  metric,
  ...(gateway === undefined ? {} : { gateway: parseIP4(gateway) }),
});
const SUBNET = parseIP4Net('10.244.7.1/24');

describe('findGatewayRouteFor', () => {
  test('finds a route to exactly the subnet via a gateway, described like ip route', () => {
    const routes = [route('0.0.0.0/0', '192.0.2.1'), route('10.244.7.0/24', '192.0.2.12', 0, 'ens3')];
    expect(findGatewayRouteFor(SUBNET, routes)).toBe('10.244.7.0/24 via 192.0.2.12 dev ens3');
    expect(findGatewayRouteFor(SUBNET, [route('10.244.7.0/24', '192.0.2.12', 100)])).toBe('10.244.7.0/24 via 192.0.2.12 dev eth0 metric 100');
  });

  test('ignores directly connected routes (Docker\'s own bridge), other prefixes and the default route', () => {
    const routes = [
      route('10.244.7.0/24', undefined, 0, 'docker0'),
      route('10.244.0.0/16', '192.0.2.1'),
      route('10.244.7.0/25', '192.0.2.1'),
      route('0.0.0.0/0', '192.0.2.1'),
    ];
    expect(findGatewayRouteFor(SUBNET, routes)).toBeUndefined();
  });
});
