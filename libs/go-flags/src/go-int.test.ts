import { describe, expect, it } from 'vitest';
import { parseGoInt, parseGoUint } from './go-int.js';

describe('parseGoInt (Go flag.Int: strconv.ParseInt base 0)', () => {
  it('reads decimal with an optional sign', () => {
    expect(parseGoInt('0')).toBe(0);
    expect(parseGoInt('42')).toBe(42);
    expect(parseGoInt('+42')).toBe(42);
    expect(parseGoInt('-42')).toBe(-42);
    expect(parseGoInt('-0')).toBe(0);
  });

  it('reads Go base prefixes, leading-zero octal and underscores', () => {
    expect(parseGoInt('0x1f')).toBe(31);
    expect(parseGoInt('0X1F')).toBe(31);
    expect(parseGoInt('-0x10')).toBe(-16);
    expect(parseGoInt('0o17')).toBe(15);
    expect(parseGoInt('0b101')).toBe(5);
    expect(parseGoInt('017')).toBe(15);
    expect(parseGoInt('1_000')).toBe(1000);
    expect(parseGoInt('0x_ff')).toBe(255);
    expect(parseGoInt('0_7')).toBe(7);
  });

  it('rejects what Go rejects', () => {
    const bad = ['', '-', '+', ' 1', '1 ', '1.0', '1e3', 'abc', '12a', '0x', '0b', '0x1g', '08', '0b2',
      '+-1', '--1', '_1', '1_', '1__0', '0x__1', '1_000_', 'Infinity', 'NaN'];
    for (const text of bad) expect(() => parseGoInt(text), text).toThrow(/^parse error$/);
  });

  it('says "value out of range" past int64 and past the safe-integer range of a number', () => {
    expect(parseGoInt(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseGoInt(String(-Number.MAX_SAFE_INTEGER))).toBe(-Number.MAX_SAFE_INTEGER);
    for (const text of ['9007199254740992', '9223372036854775807', '9223372036854775808', '-9223372036854775809', '99999999999999999999999']) {
      expect(() => parseGoInt(text), text).toThrow(/^value out of range$/);
    }
  });
});

describe('parseGoUint (Go flag.Uint)', () => {
  it('reads unsigned values with the same prefixes', () => {
    expect(parseGoUint('0')).toBe(0);
    expect(parseGoUint('0x10')).toBe(16);
    expect(parseGoUint('1_024')).toBe(1024);
  });

  it('rejects any sign', () => {
    expect(() => parseGoUint('-1')).toThrow(/^parse error$/);
    expect(() => parseGoUint('+1')).toThrow(/^parse error$/);
  });

  it('says "value out of range" for huge values', () => {
    expect(() => parseGoUint('18446744073709551616')).toThrow(/^value out of range$/);
  });
});
