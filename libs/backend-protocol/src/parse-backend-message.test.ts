import { describe, expect, test } from 'vitest';
import { parseBackendMessage } from './parse-backend-message.js';
import { ProtocolError } from './protocol-error.js';
import { wireSamples, withField, type Wire } from '@flannel-ts/testing';

function refusal(raw: unknown): ProtocolError {
  try {
    parseBackendMessage(raw);
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(raw)}`);
}

describe('parseBackendMessage', () => {
  test.each([
    ['propose', wireSamples.propose()],
    ['propose without attributes', { v: 1, type: 'propose', mtu: 1500 }],
    ['ready', wireSamples.ready()],
    ['status', wireSamples.status()],
    ['an empty status', { v: 1, type: 'status' }],
    ['error', wireSamples.error()],
    ['a fatal error', { ...wireSamples.error(), fatal: true }],
    ['protocol-error', wireSamples.protocolError()],
  ])('accepts %s as is', (_name, raw) => {
    expect(parseBackendMessage(raw)).toEqual(raw);
  });

  test('drops unknown fields', () => {
    expect(parseBackendMessage({ ...wireSamples.ready(), extra: 1 })).toEqual(wireSamples.ready());
  });

  test.each<[string, unknown, string, ProtocolError['kind']]>([
    ['a number', 42, 'message is not a JSON object (got 42)', 'malformed'],
    ['version 2', { ...wireSamples.ready(), v: 2 }, 'unsupported protocol version 2 (this side speaks 1)', 'version'],
    ['an unknown type', { v: 1, type: 'frobnicate' }, 'unknown message type "frobnicate"', 'unknown-type'],
    ['a supervisor message', wireSamples.init(), 'message type "init" is not one the backend sends', 'unknown-type'],
  ])('refuses %s', (_name, raw, message, kind) => {
    expect(refusal(raw)).toMatchObject({ message, kind });
  });

  test.each<[string, Wire, string]>([
    ['propose without mtu', withField(wireSamples.propose(), ['mtu'], undefined), 'propose: mtu: is missing'],
    ['propose mtu 0', withField(wireSamples.propose(), ['mtu'], 0), 'propose: mtu: expected an integer from 68 to 2147483647, got 0'],
    ['propose mtu as text', withField(wireSamples.propose(), ['mtu'], '1450'), 'propose: mtu: expected an integer from 68 to 2147483647, got "1450"'],
    ['propose empty backendType', withField(wireSamples.propose(), ['backendType'], ''), 'propose: backendType: must not be empty'],
    ['propose backendData text', withField(wireSamples.propose(), ['backendData'], '{}'), 'propose: backendData: expected a JSON object, got "{}"'],
    ['status counters an array', withField(wireSamples.status(), ['counters'], [1]), 'status: counters: expected a JSON object, got an array'],
    ['status counter not a number', withField(wireSamples.status(), ['counters', 'routes'], '3'), 'status: counters.routes: expected a number, got "3"'],
    ['status detail a number', withField(wireSamples.status(), ['detail'], 3), 'status: detail: expected a string, got 3'],
    ['error without fatal', withField(wireSamples.error(), ['fatal'], undefined), 'error: fatal: is missing'],
    ['error fatal as text', withField(wireSamples.error(), ['fatal'], 'yes'), 'error: fatal: expected true or false, got "yes"'],
    ['error message null', withField(wireSamples.error(), ['message'], null), 'error: message: expected a string, got null'],
  ])('refuses %s', (_name, raw, message) => {
    expect(refusal(raw)).toMatchObject({ message, kind: 'malformed', messageType: raw.type });
  });
});
