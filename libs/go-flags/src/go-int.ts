// Integers as Go's flag package reads them: strconv.ParseInt/ParseUint with base 0, so
// "0x1f", "0o17", "0b101", a leading-zero octal "017" and "1_000" are all accepted, and
// nothing else (no spaces, no "1e3", no "1.0"). Results are limited to the safe-integer range
// of a JS number; beyond it (and beyond Go's 64 bits) the error is "value out of range".

const UINT64_LIMIT = 1n << 64n;
const INT64_LIMIT = 1n << 63n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const parseError = (): Error => new Error('parse error');
const rangeError = (): Error => new Error('value out of range');

function digitValue(c: string): number {
  const code = c.toLowerCase().charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 122) return code - 97 + 10;
  return 99;
}

/** Go's underscoreOK: every '_' sits between digits (a base prefix counts as a digit). */
function underscoresWellPlaced(text: string): boolean {
  let s = text;
  if (s.startsWith('+') || s.startsWith('-')) s = s.slice(1);
  let saw: 'start' | 'digit' | 'underscore' | 'other' = 'start';
  let i = 0;
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'box'.includes(s[1]!.toLowerCase())) {
    i = 2;
    saw = 'digit';
    hex = s[1]!.toLowerCase() === 'x';
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    const isDigit = (c >= '0' && c <= '9') || (hex && /[a-f]/i.test(c));
    if (isDigit) {
      saw = 'digit';
    } else if (c === '_') {
      if (saw !== 'digit') return false;
      saw = 'underscore';
    } else {
      if (saw === 'underscore') return false;
      saw = 'other';
    }
  }
  return saw !== 'underscore';
}

/** strconv.ParseUint(text, 0, 64) as a bigint. */
function parseUnsigned(text: string): bigint {
  if (text === '') throw parseError();
  let base = 10;
  let digits = text;
  if (text[0] === '0') {
    const marker = text.length >= 3 ? text[1]!.toLowerCase() : '';
    base = marker === 'b' ? 2 : marker === 'o' ? 8 : marker === 'x' ? 16 : 8;
    digits = base === 8 && marker !== 'o' ? text.slice(1) : text.slice(2);
  }
  let value = 0n;
  let sawUnderscore = false;
  for (const c of digits) {
    if (c === '_') {
      sawUnderscore = true;
      continue;
    }
    const d = digitValue(c);
    if (d >= base) throw parseError();
    value = value * BigInt(base) + BigInt(d);
    if (value >= UINT64_LIMIT) throw rangeError();
  }
  if (sawUnderscore && !underscoresWellPlaced(text)) throw parseError();
  return value;
}

/** Go flag.Int syntax; throws Error('parse error' | 'value out of range'). */
export function parseGoInt(text: string): number {
  if (text === '') throw parseError();
  const negative = text[0] === '-';
  const unsigned = text[0] === '-' || text[0] === '+' ? text.slice(1) : text;
  const magnitude = parseUnsigned(unsigned);
  if (negative ? magnitude > INT64_LIMIT : magnitude >= INT64_LIMIT) throw rangeError();
  if (magnitude > MAX_SAFE) throw rangeError();
  return Number(negative ? -magnitude : magnitude);
}

/** Go flag.Uint syntax (no sign at all); throws Error('parse error' | 'value out of range'). */
export function parseGoUint(text: string): number {
  const value = parseUnsigned(text);
  if (value > MAX_SAFE) throw rangeError();
  return Number(value);
}
