import { parseIP4, parseIP4Net } from '@flannel-ts/ip';
import { describe, expect, test } from 'vitest';
import { encodeBackendMessage, encodeSupervisorMessage } from './encode.js';
import type { SupervisorMessage } from './messages.js';
import { parseBackendMessage } from './parse-backend-message.js';
import { parseSupervisorMessage } from './parse-supervisor-message.js';
import { wireSamples } from '@flannel-ts/testing';

describe('encode', () => {
  test.each(Object.entries(wireSamples).filter(([name]) => ['init', 'lease', 'peers', 'peerEvents', 'shutdown', 'protocolError'].includes(name)))(
    'supervisor %s: wire → decoded → wire is the identity',
    (_name, sample) => {
      const wire = sample();
      expect(JSON.parse(JSON.stringify(encodeSupervisorMessage(parseSupervisorMessage(wire))))).toEqual(wire);
    },
  );

  test.each(Object.entries(wireSamples).filter(([name]) => ['propose', 'ready', 'status', 'error', 'protocolError'].includes(name)))(
    'backend %s: wire → decoded → wire is the identity',
    (_name, sample) => {
      const wire = sample();
      expect(encodeBackendMessage(parseBackendMessage(wire))).toEqual(wire);
    },
  );

  test('copies only protocol fields (nothing of a richer object leaks onto the wire)', () => {
    const lease = { subnet: parseIP4Net('10.244.1.0/24'), publicIp: parseIP4('192.0.2.2'), etcdLeaseId: '7', modRevision: '9' };
    expect(encodeSupervisorMessage({ v: 1, type: 'lease', ...lease })).toEqual({
      v: 1,
      type: 'lease',
      subnet: '10.244.1.0/24',
      publicIp: '192.0.2.2',
    });
  });

  test('refuses addresses that are not IPv4 numbers, naming the field', () => {
    const bad = { v: 1, type: 'peers', snapshot: [{ subnet: parseIP4Net('10.0.0.0/8'), publicIp: -1 }] } as SupervisorMessage;
    expect(() => encodeSupervisorMessage(bad)).toThrow('peers: snapshot[0].publicIp: -1 is not an IPv4 address (an unsigned 32-bit integer)');
    const badNet = { v: 1, type: 'lease', subnet: { ip: 0, prefixLen: 33 }, publicIp: 1 } as SupervisorMessage;
    expect(() => encodeSupervisorMessage(badNet)).toThrow('lease: subnet: prefix length 33 is not 0-32');
  });
});
