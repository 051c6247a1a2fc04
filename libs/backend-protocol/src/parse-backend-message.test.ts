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

  const withExtras = {
    ...wireSamples.status(),
    metrics: {
      schema: 1,
      samples: [
        { name: 'flannel_backend_reconcile_passes_total', type: 'counter', help: 'Reconcile passes.', labels: { reason: 'periodic' }, value: 3 },
        { name: 'flannel_backend_kernel_entries', type: 'gauge', help: 'Kernel entries wanted.', value: 2 },
      ],
    },
    kernel: {
      wanted: 2,
      present: 1,
      missing: ['route 10.244.2.0/24 via 192.0.2.12 dev eth0'],
      repaired: [{ entry: 'route 10.244.3.0/24 via 192.0.2.13 dev eth0', at: '2026-12-04T23:00:00.000Z' }],
    },
  };

  test('accepts a status with metrics and a kernel report as is', () => {
    expect(parseBackendMessage(withExtras)).toEqual(withExtras);
  });

  test('drops metrics of a schema it does not know, keeping the rest', () => {
    const later = { ...withExtras, metrics: { schema: 2, series: [] } };
    const { metrics: _dropped, ...rest } = withExtras;
    expect(parseBackendMessage(later)).toEqual(rest);
  });

  const sample = (field: string, value: unknown) => withField(withExtras as Wire, ['metrics', 'samples', 0, field], value);
  test.each<[string, Wire, string]>([
    ['a metric name without the prefix', sample('name', 'routes_total'), 'status: metrics.samples[0].name: "routes_total" is not a flannel_ metric name ([a-z0-9_])'],
    ['a metric type histogram', sample('type', 'histogram'), 'status: metrics.samples[0].type: expected "counter" or "gauge", got "histogram"'],
    ['a negative counter', sample('value', -1), 'status: metrics.samples[0].value: a counter cannot be negative (got -1)'],
    ['a value not a number', sample('value', '3'), 'status: metrics.samples[0].value: expected a number, got "3"'],
    ['a help of two lines', sample('help', 'a\nb'), 'status: metrics.samples[0].help: must be one line'],
    ['a bad label name', sample('labels', { 'Bad-Name': 'x' }), 'status: metrics.samples[0].labels.Bad-Name: is not a label name ([a-z_][a-z0-9_]*)'],
    ['a label value not a string', sample('labels', { reason: 1 }), 'status: metrics.samples[0].labels.reason: expected a string, got 1'],
    ['kernel wanted negative', withField(withExtras as Wire, ['kernel', 'wanted'], -1), 'status: kernel.wanted: expected an integer from 0 to 9007199254740991, got -1'],
    ['kernel missing not strings', withField(withExtras as Wire, ['kernel', 'missing'], [1]), 'status: kernel.missing[0]: expected a string, got 1'],
    ['kernel missing too long', withField(withExtras as Wire, ['kernel', 'missing'], Array(21).fill('x')), 'status: kernel.missing: at most 20 entries, got 21'],
    ['kernel repair time not a time', withField(withExtras as Wire, ['kernel', 'repaired', 0, 'at'], 'soon'), 'status: kernel.repaired[0].at: "soon" is not an ISO-8601 time'],
  ])('refuses %s', (_name, raw, message) => {
    expect(refusal(raw)).toMatchObject({ message, kind: 'malformed', messageType: 'status' });
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
