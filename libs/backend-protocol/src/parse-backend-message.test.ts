import { describe, expect, test } from 'vitest';
import { parseBackendMessage } from './parse-backend-message.js';
import { ProtocolError } from './protocol-error.js';
import { samples, withField, type Wire } from './test-samples.js';

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
    ['propose', samples.propose()],
    ['propose without attributes', { v: 1, type: 'propose', mtu: 1500 }],
    ['ready', samples.ready()],
    ['status', samples.status()],
    ['an empty status', { v: 1, type: 'status' }],
    ['error', samples.error()],
    ['a fatal error', { ...samples.error(), fatal: true }],
    ['protocol-error', samples.protocolError()],
  ])('accepts %s as is', (_name, raw) => {
    expect(parseBackendMessage(raw)).toEqual(raw);
  });

  test('drops unknown fields', () => {
    expect(parseBackendMessage({ ...samples.ready(), extra: 1 })).toEqual(samples.ready());
  });

  test.each<[string, unknown, string, ProtocolError['kind']]>([
    ['a number', 42, 'message is not a JSON object (got 42)', 'malformed'],
    ['version 2', { ...samples.ready(), v: 2 }, 'unsupported protocol version 2 (this side speaks 1)', 'version'],
    ['an unknown type', { v: 1, type: 'frobnicate' }, 'unknown message type "frobnicate"', 'unknown-type'],
    ['a supervisor message', samples.init(), 'message type "init" is not one the backend sends', 'unknown-type'],
  ])('refuses %s', (_name, raw, message, kind) => {
    expect(refusal(raw)).toMatchObject({ message, kind });
  });

  test.each<[string, Wire, string]>([
    ['propose without mtu', withField(samples.propose(), ['mtu'], undefined), 'propose: mtu: is missing'],
    ['propose mtu 0', withField(samples.propose(), ['mtu'], 0), 'propose: mtu: expected an integer from 68 to 2147483647, got 0'],
    ['propose mtu as text', withField(samples.propose(), ['mtu'], '1450'), 'propose: mtu: expected an integer from 68 to 2147483647, got "1450"'],
    ['propose empty backendType', withField(samples.propose(), ['backendType'], ''), 'propose: backendType: must not be empty'],
    ['propose backendData text', withField(samples.propose(), ['backendData'], '{}'), 'propose: backendData: expected a JSON object, got "{}"'],
    ['status counters an array', withField(samples.status(), ['counters'], [1]), 'status: counters: expected a JSON object, got an array'],
    ['status counter not a number', withField(samples.status(), ['counters', 'routes'], '3'), 'status: counters.routes: expected a number, got "3"'],
    ['status detail a number', withField(samples.status(), ['detail'], 3), 'status: detail: expected a string, got 3'],
    ['error without fatal', withField(samples.error(), ['fatal'], undefined), 'error: fatal: is missing'],
    ['error fatal as text', withField(samples.error(), ['fatal'], 'yes'), 'error: fatal: expected true or false, got "yes"'],
    ['error message null', withField(samples.error(), ['message'], null), 'error: message: expected a string, got null'],
  ])('refuses %s', (_name, raw, message) => {
    expect(refusal(raw)).toMatchObject({ message, kind: 'malformed', messageType: raw.type });
  });
});
