import { parseIP4, parseIP4Net } from '@flannel-ts/ip';
import { describe, expect, test } from 'vitest';
import { parseSupervisorMessage } from './parse-supervisor-message.js';
import { ProtocolError } from './protocol-error.js';
import { wireSamples, wireLease, withField, type Wire } from '@flannel-ts/testing';

function refusal(raw: unknown): ProtocolError {
  try {
    parseSupervisorMessage(raw);
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(raw)}`);
}

describe('parseSupervisorMessage: valid messages', () => {
  test('init decodes addresses and keeps the Backend object as written', () => {
    expect(parseSupervisorMessage(wireSamples.init())).toEqual({
      v: 1,
      type: 'init',
      config: {
        network: parseIP4Net('10.244.0.0/16'),
        subnetLen: 24,
        subnetMin: parseIP4('10.244.1.0'),
        subnetMax: parseIP4('10.244.255.0'),
        backend: { Type: 'vxlan', VNI: 1 },
      },
      iface: { name: 'eth0', index: 2, mtu: 1500, ifaceAddr: parseIP4('192.0.2.2'), extAddr: parseIP4('198.51.100.2') },
      stateDir: '/var/lib/flannel/d1',
      daemonId: 'd1',
      verbosity: 0,
    });
  });

  test('lease, with and without its optional attributes', () => {
    expect(parseSupervisorMessage(wireSamples.lease())).toEqual({
      v: 1,
      type: 'lease',
      subnet: parseIP4Net('10.244.1.0/24'),
      publicIp: parseIP4('198.51.100.2'),
      backendType: 'vxlan',
      backendData: { VNI: 1, VtepMAC: '5a:1f:0c:2e:33:9b' },
    });
    const bare = parseSupervisorMessage({ v: 1, type: 'lease', subnet: '10.244.1.0/24', publicIp: '198.51.100.2' });
    expect(bare).toEqual({ v: 1, type: 'lease', subnet: parseIP4Net('10.244.1.0/24'), publicIp: parseIP4('198.51.100.2') });
    expect(Object.keys(bare)).not.toContain('backendData');
  });

  test('peers (an empty snapshot too) and peer-events', () => {
    const peers = parseSupervisorMessage(wireSamples.peers());
    expect(peers).toMatchObject({ type: 'peers', snapshot: [{ subnet: parseIP4Net('10.244.2.0/24') }, { backendType: 'host-gw' }] });
    expect(parseSupervisorMessage({ v: 1, type: 'peers', snapshot: [] })).toEqual({ v: 1, type: 'peers', snapshot: [] });
    expect(parseSupervisorMessage(wireSamples.peerEvents())).toEqual({
      v: 1,
      type: 'peer-events',
      events: [
        { type: 'added', lease: { subnet: parseIP4Net('10.244.4.0/24'), publicIp: parseIP4('192.0.2.14') } },
        { type: 'removed', lease: { subnet: parseIP4Net('10.244.2.0/24'), publicIp: parseIP4('192.0.2.12') } },
      ],
    });
  });

  test('shutdown and protocol-error', () => {
    expect(parseSupervisorMessage(wireSamples.shutdown())).toEqual({ v: 1, type: 'shutdown' });
    expect(parseSupervisorMessage(wireSamples.protocolError())).toEqual(wireSamples.protocolError());
  });

  test('init may name the udp TUN device', () => {
    expect(parseSupervisorMessage({ ...wireSamples.init(), tunName: 'flannel-u8286' })).toMatchObject({ tunName: 'flannel-u8286' });
    expect(parseSupervisorMessage(wireSamples.init())).not.toHaveProperty('tunName');
    expect(() => parseSupervisorMessage({ ...wireSamples.init(), tunName: 'a/b' })).toThrow(/tunName: "a\/b" is not a device name/);
    expect(() => parseSupervisorMessage({ ...wireSamples.init(), tunName: 'x'.repeat(16) })).toThrow(/tunName/);
  });

  test("init may name the network (multi-network mode)", () => {
    expect(parseSupervisorMessage({ ...wireSamples.init(), network: 'blue' })).toMatchObject({ network: 'blue' });
    expect(() => parseSupervisorMessage({ ...wireSamples.init(), network: '' })).toThrow(/network/);
    expect(() => parseSupervisorMessage({ ...wireSamples.init(), network: 'a/b' })).toThrow(/network: "a\/b" is not/);
  });

  test('shutdown may ask for the kernel state to be removed', () => {
    expect(parseSupervisorMessage({ ...wireSamples.shutdown(), removeState: true })).toEqual({ v: 1, type: 'shutdown', removeState: true });
    expect(parseSupervisorMessage({ ...wireSamples.shutdown(), removeState: false })).toEqual({ v: 1, type: 'shutdown' });
    expect(() => parseSupervisorMessage({ ...wireSamples.shutdown(), removeState: 'yes' })).toThrow(/removeState/);
  });

  test('unknown fields are ignored (v1 may grow optional fields)', () => {
    expect(parseSupervisorMessage({ ...wireSamples.shutdown(), reason: 'upgrade' })).toEqual({ v: 1, type: 'shutdown' });
  });
});

describe('parseSupervisorMessage: the envelope', () => {
  test.each<[string, unknown, string, ProtocolError['kind']]>([
    ['an array', [wireSamples.init()], 'message is not a JSON object (got an array)', 'malformed'],
    ['a string', 'init', 'message is not a JSON object (got "init")', 'malformed'],
    ['null', null, 'message is not a JSON object (got null)', 'malformed'],
    ['no version', { type: 'shutdown' }, 'message "shutdown" has no protocol version "v" (this side speaks 1)', 'version'],
    ['version 7', { v: 7, type: 'shutdown' }, 'unsupported protocol version 7 (this side speaks 1)', 'version'],
    ['version "1"', { v: '1', type: 'shutdown' }, 'unsupported protocol version "1" (this side speaks 1)', 'version'],
    ['no type', { v: 1 }, 'message has no "type"', 'malformed'],
    ['a numeric type', { v: 1, type: 3 }, 'message type must be a string, got 3', 'malformed'],
    ['an unknown type', { v: 1, type: 'frobnicate' }, 'unknown message type "frobnicate"', 'unknown-type'],
    ['a backend message', wireSamples.propose(), 'message type "propose" is not one the supervisor sends', 'unknown-type'],
  ])('%s', (_name, raw, message, kind) => {
    const error = refusal(raw);
    expect(error.message).toBe(message);
    expect(error.kind).toBe(kind);
  });

  test('the version is checked before the type, so a v2-only type is reported as a version problem', () => {
    expect(refusal({ v: 2, type: 'lease-batch' }).message).toBe('unsupported protocol version 2 (this side speaks 1)');
  });
});

describe('parseSupervisorMessage: malformed fields name the culprit', () => {
  const init = wireSamples.init();
  test.each<[string, Wire, string]>([
    ['init without config', withField(init, ['config'], undefined), 'init: config: is missing'],
    ['a bad network', withField(init, ['config', 'network'], '10.244.0.0'), 'init: config.network: "10.244.0.0" is not an IPv4 prefix'],
    ['host bits in network', withField(init, ['config', 'network'], '10.244.1.0/16'), 'init: config.network: "10.244.1.0/16" is not in canonical form (expected 10.244.0.0/16)'],
    ['subnetLen shorter than network', withField(init, ['config', 'subnetLen'], 8), 'init: config.subnetLen: expected an integer from 16 to 32, got 8'],
    ['subnetLen not an integer', withField(init, ['config', 'subnetLen'], 24.5), 'init: config.subnetLen: expected an integer from 16 to 32, got 24.5'],
    ['subnetMin outside', withField(init, ['config', 'subnetMin'], '10.245.0.0'), 'init: config.subnetMin: 10.245.0.0 is outside network 10.244.0.0/16'],
    ['subnetMin above subnetMax', withField(init, ['config', 'subnetMax'], '10.244.0.0'), 'init: config.subnetMin: 10.244.1.0 is above subnetMax 10.244.0.0'],
    ['backend not an object', withField(init, ['config', 'backend'], 'vxlan'), 'init: config.backend: expected a JSON object, got "vxlan"'],
    ['empty iface name', withField(init, ['iface', 'name'], ''), 'init: iface.name: must not be empty'],
    ['long iface name', withField(init, ['iface', 'name'], 'a-very-long-name0'), 'init: iface.name: "a-very-long-name0" is longer than 15 characters'],
    ['iface index 0', withField(init, ['iface', 'index'], 0), 'init: iface.index: expected an integer from 1 to 2147483647, got 0'],
    ['iface mtu 67', withField(init, ['iface', 'mtu'], 67), 'init: iface.mtu: expected an integer from 68 to 2147483647, got 67'],
    ['a bad ifaceAddr', withField(init, ['iface', 'ifaceAddr'], '192.0.2.256'), 'init: iface.ifaceAddr: "192.0.2.256" is not an IPv4 address'],
    ['extAddr missing', withField(init, ['iface', 'extAddr'], undefined), 'init: iface.extAddr: is missing'],
    ['a relative stateDir', withField(init, ['stateDir'], 'var/lib'), 'init: stateDir: "var/lib" is not an absolute path'],
    ['a daemonId with a slash', withField(init, ['daemonId'], 'a/b'), 'init: daemonId: "a/b" is not 1-64 characters of [A-Za-z0-9_.-]'],
    ['a negative verbosity', withField(init, ['verbosity'], -1), 'init: verbosity: expected an integer from 0 to 1000, got -1'],
    ['lease subnet /33', withField(wireSamples.lease(), ['subnet'], '10.1.2.0/33'), 'lease: subnet: "10.1.2.0/33" is not an IPv4 prefix'],
    ['lease subnet with host bits', withField(wireSamples.lease(), ['subnet'], '10.244.1.7/24'), 'lease: subnet: "10.244.1.7/24" is not in canonical form (expected 10.244.1.0/24)'],
    ['lease publicIp a number', withField(wireSamples.lease(), ['publicIp'], 3232235522), 'lease: publicIp: 3232235522 is not an IPv4 address'],
    ['lease backendType a number', withField(wireSamples.lease(), ['backendType'], 1), 'lease: backendType: expected a string, got 1'],
    ['lease backendData an array', withField(wireSamples.lease(), ['backendData'], []), 'lease: backendData: expected a JSON object, got an array'],
    ['lease backendData null', withField(wireSamples.lease(), ['backendData'], null), 'lease: backendData: expected a JSON object, got null'],
    ['peers snapshot not an array', withField(wireSamples.peers(), ['snapshot'], {}), 'peers: snapshot: expected an array, got an object'],
    ['a peers item not an object', withField(wireSamples.peers(), ['snapshot', 1], '10.244.3.0/24'), 'peers: snapshot[1]: expected a JSON object, got "10.244.3.0/24"'],
    ['a peers item with a bad publicIp', withField(wireSamples.peers(), ['snapshot', 1, 'publicIp'], 'x'), 'peers: snapshot[1].publicIp: "x" is not an IPv4 address'],
    ['a subnet twice in peers', withField(wireSamples.peers(), ['snapshot', 1, 'subnet'], '10.244.2.0/24'), 'peers: snapshot[1].subnet: 10.244.2.0/24 is listed twice (also at snapshot[0])'],
    ['events missing', withField(wireSamples.peerEvents(), ['events'], undefined), 'peer-events: events: is missing'],
    ['an event of an unknown type', withField(wireSamples.peerEvents(), ['events', 0, 'type'], 'changed'), 'peer-events: events[0].type: expected "added" or "removed", got "changed"'],
    ['an event without lease', withField(wireSamples.peerEvents(), ['events', 1, 'lease'], undefined), 'peer-events: events[1].lease: is missing'],
    ['protocol-error without message', withField(wireSamples.protocolError(), ['message'], undefined), 'protocol-error: message: is missing'],
  ])('%s', (_name, raw, message) => {
    const error = refusal(raw);
    expect(error.message).toBe(message);
    expect(error.kind).toBe('malformed');
    expect(error.messageType).toBe(raw.type);
  });

  test('a deep culprit in a long batch', () => {
    const events = Array.from({ length: 4 }, (_, i) => ({ type: 'added', lease: wireLease(`10.1.${i}.0/24`, '192.0.2.1') }));
    events[3]!.lease.subnet = '10.1.2.0/33';
    expect(refusal({ v: 1, type: 'peer-events', events }).message).toBe(
      'peer-events: events[3].lease.subnet: "10.1.2.0/33" is not an IPv4 prefix',
    );
  });

  test('long values are shortened in the message', () => {
    const message = refusal(withField(wireSamples.lease(), ['subnet'], 'x'.repeat(200))).message;
    expect(message.length).toBeLessThan(100);
    expect(message).toMatch(/^lease: subnet: "x+\.\.\." is not an IPv4 prefix$/);
  });
});
