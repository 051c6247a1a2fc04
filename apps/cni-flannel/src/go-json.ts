import type { JsonValue } from './json.js';

/**
 * Compact JSON exactly as Go's encoding/json writes a decoded `map[string]interface{}`: object keys
 * sorted by their UTF-8 bytes at every level, `<` `>` `&` U+2028 U+2029 escaped as \uXXXX, control
 * characters as Go escapes them. Numbers already match: Go formats float64 as ES6 does.
 * The original plugin stores the delegate config in this form, so ours is byte-for-byte the same.
 */
export function goJson(value: JsonValue): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return JSON.stringify(value);
  if (typeof value === 'string') return goString(value);
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  const keys = Object.keys(value).sort(compareUtf8);
  return `{${keys.map((key) => `${goString(key)}:${goJson(value[key] as JsonValue)}`).join(',')}}`;
}

const GO_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

function goString(text: string): string {
  // Lone surrogates cannot be UTF-8; Go would have decoded them to U+FFFD in the first place.
  const wellFormed = text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  const escaped = wellFormed.replace(/["\\\u0000-\u001f<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] ?? unicodeEscape(c));
  return `"${escaped}"`;
}

function unicodeEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
