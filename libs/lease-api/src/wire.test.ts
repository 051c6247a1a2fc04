import { describe, expect, it } from 'vitest';
import { parseIP4, parseIP4Net } from '@flannel-ts/ip';
import { encoderBody, parseJsonText } from './go-json.js';
import { decodeLease, decodeLeaseAttrs, encodeLease, encodeLeaseAttrs, type ApiLease } from './lease.js';
import { decodeReservation, decodeReservations, encodeReservations } from './reservation.js';
import {
  decodeEvent,
  decodeLeaseWatchResult,
  decodeNetworkWatchResult,
  encodeLeaseWatchResult,
  encodeNetworkWatchResult,
  isSnapshot,
  ZERO_LEASE,
} from './watch.js';

// Bodies exactly as flannel v0.5.6's server writes them with Go's json.Encoder.
const VXLAN_LEASE =
  '{"Subnet":"10.1.15.0/24","Attrs":{"PublicIP":"10.0.0.5","BackendType":"vxlan","BackendData":{"VtepMAC":"5a:1f:0c:2e:33:9b"}},"Expiration":"2015-11-13T10:04:05.123Z"}';
const UDP_RESERVATION = '{"Subnet":"10.1.5.0/24","Attrs":{"PublicIP":"10.0.0.9"},"Expiration":"0001-01-01T00:00:00Z"}';
const REMOVED =
  '{"type":"removed","lease":{"Subnet":"10.1.7.0/24","Attrs":{"PublicIP":"0.0.0.0"},"Expiration":"0001-01-01T00:00:00Z"}}';

const vxlan: ApiLease = {
  subnet: parseIP4Net('10.1.15.0/24'),
  attrs: { publicIp: parseIP4('10.0.0.5'), backendType: 'vxlan', backendData: '{ "VtepMAC": "5a:1f:0c:2e:33:9b" }' },
  expiration: new Date(Date.UTC(2015, 10, 13, 10, 4, 5, 123)),
};
const reservation: ApiLease = { subnet: parseIP4Net('10.1.5.0/24'), attrs: { publicIp: parseIP4('10.0.0.9') } };
const removed = { type: 'removed' as const, lease: { subnet: parseIP4Net('10.1.7.0/24'), attrs: { publicIp: 0 } } };

describe('lease JSON', () => {
  it('writes Subnet, Attrs (BackendType and BackendData only when set, compacted) and Expiration', () => {
    expect(encodeLease(vxlan)).toBe(VXLAN_LEASE);
    expect(encodeLease(reservation)).toBe(UDP_RESERVATION);
    expect(encodeLeaseAttrs({ publicIp: parseIP4('10.0.0.5'), backendType: 'host-gw' })).toBe(
      '{"PublicIP":"10.0.0.5","BackendType":"host-gw"}',
    );
  });

  it('escapes as Go does', () => {
    expect(encodeLeaseAttrs({ publicIp: 1, backendType: 'a<b>&c', backendData: '{"x":"\u2028"}' })).toBe(
      '{"PublicIP":"0.0.0.1","BackendType":"a\\u003cb\\u003e\\u0026c","BackendData":{"x":"\\u2028"}}',
    );
  });

  it('reads its own output back', () => {
    expect(decodeLease(JSON.parse(VXLAN_LEASE))).toEqual({
      ...vxlan,
      attrs: { ...vxlan.attrs, backendData: '{"VtepMAC":"5a:1f:0c:2e:33:9b"}' },
    });
    expect(decodeLease(JSON.parse(UDP_RESERVATION))).toEqual(reservation);
  });

  it('reads as Go does: any case, unknown fields ignored, nanoseconds, null Attrs (v0.5.5) as 0.0.0.0', () => {
    const lease = decodeLease({
      subnet: '10.1.15.0/24',
      ATTRS: { publicip: '10.0.0.5', Extra: 1, PublicIPv6: null },
      Expiration: '2015-11-13T10:04:05.123456789Z',
      Other: true,
    });
    expect(lease).toEqual({ ...vxlan, attrs: { publicIp: parseIP4('10.0.0.5') } });
    expect(decodeLease({ Subnet: '10.1.7.0/24', Attrs: null, Expiration: '0001-01-01T00:00:00Z' })).toEqual(removed.lease);
  });

  it('names what is wrong in one line', () => {
    expect(() => decodeLease({ Subnet: '10.1.15.0', Attrs: {} })).toThrow('bad Subnet "10.1.15.0"');
    expect(() => decodeLease({ Attrs: {} })).toThrow('bad Subnet null');
    expect(() => decodeLeaseAttrs({ PublicIP: 'x' })).toThrow('bad PublicIP "x"');
    expect(() => decodeLeaseAttrs({ PublicIP: '10.0.0.1', BackendType: 3 })).toThrow('bad BackendType 3: not a string');
    expect(() => decodeLeaseAttrs([])).toThrow('lease attributes is not a JSON object');
    expect(() => decodeLease({ Subnet: '10.1.15.0/24', Expiration: 5 })).toThrow('bad Expiration 5: not a string');
    expect(() => parseJsonText('{', 'request body')).toThrow(/^request body is not JSON: /);
  });
});

describe('watch results', () => {
  it('writes an events reply with a null snapshot, the cursor a string, a trailing newline', () => {
    const body = encoderBody(encodeLeaseWatchResult({ events: [{ type: 'added', lease: vxlan }, removed], snapshot: null, cursor: '42' }));
    expect(body).toBe(`{"events":[{"type":"added","lease":${VXLAN_LEASE}},${REMOVED}],"snapshot":null,"cursor":"42"}\n`);
  });

  it('writes a snapshot reply with null events; an empty snapshot is []', () => {
    expect(encodeLeaseWatchResult({ events: null, snapshot: [reservation], cursor: '7' })).toBe(
      `{"events":null,"snapshot":[${UDP_RESERVATION}],"cursor":"7"}`,
    );
    expect(encodeLeaseWatchResult({ events: null, snapshot: [], cursor: '7' })).toBe('{"events":null,"snapshot":[],"cursor":"7"}');
  });

  it('reads replies back; no events means a snapshot, even a null one', () => {
    const events = decodeLeaseWatchResult(JSON.parse(`{"events":[${REMOVED}],"snapshot":null,"cursor":"9"}`));
    expect(events).toEqual({ events: [removed], snapshot: null, cursor: '9' });
    expect(isSnapshot(events)).toBe(false);
    const empty = decodeLeaseWatchResult({ events: [], snapshot: null, cursor: '9' });
    expect(isSnapshot(empty)).toBe(true);
    expect(empty.snapshot).toBeNull();
  });

  it('refuses a non-string cursor and an unknown event type', () => {
    expect(() => decodeLeaseWatchResult({ events: null, snapshot: [], cursor: 9 })).toThrow(/^watch returned non-string cursor$/);
    expect(() => decodeLeaseWatchResult({ events: null, snapshot: [] })).toThrow('watch returned non-string cursor');
    expect(() => decodeEvent({ type: 'changed', lease: JSON.parse(VXLAN_LEASE) })).toThrow(/^bad event type$/);
  });

  it('writes network watch replies: names, or events carrying a zero lease and the network', () => {
    expect(encoderBody(encodeNetworkWatchResult({ events: null, snapshot: ['blue', 'green'], cursor: '123' }))).toBe(
      '{"events":null,"snapshot":["blue","green"],"cursor":"123"}\n',
    );
    const added = { type: 'added' as const, lease: ZERO_LEASE, network: 'blue' };
    const json =
      '{"events":[{"type":"added","lease":{"Subnet":"0.0.0.0/0","Attrs":{"PublicIP":"0.0.0.0"},"Expiration":"0001-01-01T00:00:00Z"},"network":"blue"}],"snapshot":null,"cursor":"124"}';
    expect(encodeNetworkWatchResult({ events: [added], snapshot: null, cursor: '124' })).toBe(json);
    expect(decodeNetworkWatchResult(JSON.parse(json))).toEqual({ events: [added], snapshot: null, cursor: '124' });
    expect(encodeNetworkWatchResult({ events: null, snapshot: [], cursor: '' })).toBe('{"events":null,"snapshot":[]}');
    expect(() => decodeNetworkWatchResult({ snapshot: [1], cursor: '1' })).toThrow('bad network name 1: not a string');
  });
});

describe('reservations', () => {
  it('writes and reads the list', () => {
    const list = [{ subnet: parseIP4Net('10.1.5.0/24'), publicIp: parseIP4('10.0.0.9') }];
    const json = '[{"Subnet":"10.1.5.0/24","PublicIP":"10.0.0.9"}]';
    expect(encodeReservations(list)).toBe(json);
    expect(encodeReservations([])).toBe('[]');
    expect(decodeReservations(JSON.parse(json))).toEqual(list);
    expect(decodeReservations(null)).toEqual([]);
    expect(() => decodeReservation({ Subnet: '10.1.5.0/24' })).toThrow('bad PublicIP null');
  });
});
