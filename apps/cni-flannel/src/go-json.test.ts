import { describe, expect, test } from 'vitest';
import { goJson } from './go-json.js';
import type { JsonValue } from './json.js';

describe('goJson', () => {
  test('sorts object keys at every level and keeps array order', () => {
    const value = { b: 1, a: { z: [3, { y: true, x: null }], c: 'd' }, A: [] };
    expect(goJson(value)).toBe('{"A":[],"a":{"c":"d","z":[3,{"x":null,"y":true}]},"b":1}');
  });

  test('orders keys by UTF-8 bytes, as Go does (not by UTF-16 units)', () => {
    // U+FF5E sorts before U+1F600 in UTF-16 (0xFF5E < 0xD83D) but after it in UTF-8 (EF < F0).
    expect(goJson({ '\u{1F600}': 1, '\uFF5E': 2, Z: 3, a: 4 })).toBe('{"Z":3,"a":4,"\uFF5E":2,"\u{1F600}":1}');
  });

  test('escapes strings as Go does', () => {
    expect(goJson('<a href="x">&\u2028\u2029\\\n\r\t\b\f\u0001é')).toBe(
      '"\\u003ca href=\\"x\\"\\u003e\\u0026\\u2028\\u2029\\\\\\n\\r\\t\\b\\f\\u0001é"',
    );
    expect(goJson({ 'k<': 'v' })).toBe('{"k\\u003c":"v"}');
    expect(goJson('\uD800x')).toBe('"\uFFFDx"');
  });

  test('writes numbers as ES6 and Go both do', () => {
    expect(goJson([0, 1450, -1.5, 1e21, 1e-7, 123456789012])).toBe('[0,1450,-1.5,1e+21,1e-7,123456789012]');
  });

  test('round-trips random JSON values', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = (text: string) => text[Math.floor(random() * text.length)] as string;
    const randomString = () => Array.from({ length: Math.floor(random() * 6) }, () => pick('ab<>&"\\\n\u00e9\u2028z')).join('');
    const randomValue = (depth: number): JsonValue => {
      const kind = Math.floor(random() * (depth > 3 ? 4 : 6));
      if (kind === 0) return null;
      if (kind === 1) return random() < 0.5;
      if (kind === 2) return Math.round((random() - 0.5) * 1e6) / 100;
      if (kind === 3) return randomString();
      if (kind === 4) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [randomString(), randomValue(depth + 1)]));
    };
    for (let i = 0; i < 500; i++) {
      const value = randomValue(0);
      expect(JSON.parse(goJson(value))).toEqual(value);
    }
  });
});
