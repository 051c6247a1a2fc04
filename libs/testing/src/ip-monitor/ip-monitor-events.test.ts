import { describe, expect, it } from 'vitest';
import { parseIpMonitorOutput } from './ip-monitor-events.js';

// Captured from `ip -4 -ts monitor label route link address neigh` (iproute2 6.1).
const CAPTURE = `[2026-11-23T14:12:15.125729] [ROUTE]blackhole 203.0.113.7 table 250 
[2026-11-23T14:12:15.128060] [ROUTE]Deleted blackhole 203.0.113.7 table 250 
[2026-11-23T14:12:15.130239] [LINK]2: d1@NONE: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default 
    link/ether 72:1f:88:c6:97:8b brd ff:ff:ff:ff:ff:ff
[2026-11-23T14:12:15.132443] [ADDR]3: d0    inet 10.9.0.1/24 scope global d0
       valid_lft forever preferred_lft forever
[2026-11-23T14:12:15.132462] [ROUTE]local 10.9.0.1 dev d0 table local proto kernel scope host src 10.9.0.1 
[2026-11-23T14:12:15.138385] [ROUTE]10.8.0.0/24 via 10.9.0.2 dev d0 
[2026-11-23T14:12:15.141956] [NEIGH]10.9.0.5 dev d0 lladdr 02:00:00:00:00:01 PERMANENT 
[2026-11-23T14:12:15.143695] [NSID]nsid 0 (iproute2 netns name: x)
[2026-11-23T14:12:15.145354] [ROUTE]Deleted default via 10.9.0.2 dev d0 
[2026-11-23T14:12:15.147816] [LINK]Deleted 3: d0@NONE: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default 
    link/ether 02:43:95:c2:13:10 brd ff:ff:ff:ff:ff:ff
[2026-11-23T14:12:15.1478`;

describe('parseIpMonitorOutput', () => {
  const events = parseIpMonitorOutput(CAPTURE);

  it('splits events, joins continuation lines and skips other labels and a partial last line', () => {
    expect(events.map((event) => [event.kind, event.deleted, event.dst, event.dev])).toEqual([
      ['route', false, '203.0.113.7', undefined],
      ['route', true, '203.0.113.7', undefined],
      ['link', false, undefined, 'd1'],
      ['address', false, '10.9.0.1/24', 'd0'],
      ['route', false, '10.9.0.1', 'd0'],
      ['route', false, '10.8.0.0/24', 'd0'],
      ['neigh', false, '10.9.0.5', 'd0'],
      ['route', true, 'default', 'd0'],
      ['link', true, undefined, 'd0'],
    ]);
    expect(events[2]?.raw).toBe(
      '2: d1@NONE: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default\n    link/ether 72:1f:88:c6:97:8b brd ff:ff:ff:ff:ff:ff',
    );
    expect(events[7]?.raw).toBe('Deleted default via 10.9.0.2 dev d0');
  });

  it('reads the -ts stamp as local time', () => {
    expect(events[5]?.atMs).toBe(new Date(2026, 10, 23, 14, 12, 15, 138).getTime());
  });
});
