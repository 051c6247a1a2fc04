import { describe, expect, it } from 'vitest';
import { formatDurationMs, formatGoDuration, msToNanos, nanosToMs, parseGoDuration, parseGoDurationMs } from './go-duration.js';

const NS = 1n;
const US = 1_000n;
const MS = 1_000_000n;
const S = 1_000_000_000n;
const M = 60n * S;
const H = 60n * M;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

describe('parseGoDuration', () => {
  // Cases from Go's own time package tests.
  const valid: Array<[string, bigint]> = [
    ['0', 0n], ['5s', 5n * S], ['30s', 30n * S], ['1478s', 1478n * S],
    ['-5s', -5n * S], ['+5s', 5n * S], ['-0', 0n], ['+0', 0n],
    ['5.0s', 5n * S], ['5.6s', 5n * S + 600n * MS], ['5.s', 5n * S], ['.5s', 500n * MS],
    ['1.0s', S], ['1.00s', S], ['1.004s', S + 4n * MS], ['1.0040s', S + 4n * MS], ['100.00100s', 100n * S + MS],
    ['10ns', 10n * NS], ['11us', 11n * US], ['12\u00b5s', 12n * US], ['12\u03bcs', 12n * US],
    ['13ms', 13n * MS], ['14s', 14n * S], ['15m', 15n * M], ['16h', 16n * H],
    ['3h30m', 3n * H + 30n * M], ['10.5s4m', 4n * M + 10n * S + 500n * MS], ['-2m3.4s', -(2n * M + 3n * S + 400n * MS)],
    ['1h2m3s4ms5us6ns', H + 2n * M + 3n * S + 4n * MS + 5n * US + 6n * NS],
    ['39h9m14.425s', 39n * H + 9n * M + 14n * S + 425n * MS],
    ['52763797000ns', 52763797000n],
    ['0.3333333333333333333h', 20n * M],
    ['9007199254740993ns', (1n << 53n) + 1n],
    ['9223372036854775807ns', INT64_MAX], ['9223372036854775.807us', INT64_MAX], ['9223372036s854ms775us807ns', INT64_MAX],
    ['-9223372036854775808ns', INT64_MIN], ['-9223372036854775.808us', INT64_MIN], ['-9223372036s854ms775us808ns', INT64_MIN],
    ['-2562047h47m16.854775808s', INT64_MIN],
    ['0.100000000000000000000h', 6n * M],
    ['0.830103483285477580700h', 49n * M + 48n * S + 372539827n],
    ['1.5h', 90n * M], ['-1s', -S], ['300ms', 300n * MS], ['24h', 24n * H],
  ];
  it.each(valid)('reads %j', (text, expected) => {
    expect(parseGoDuration(text)).toBe(expected);
  });

  const invalid: Array<[string, RegExp]> = [
    ['', /^invalid duration ""$/], ['3', /^missing unit in duration "3"$/], ['-', /^invalid duration "-"$/],
    ['s', /^invalid duration "s"$/], ['.', /^invalid duration "."$/], ['-.', /^invalid duration "-."$/],
    ['.s', /^invalid duration ".s"$/], ['+.s', /^invalid duration "\+.s"$/], ['1d', /^unknown unit "d" in duration "1d"$/],
    ['1h30', /^missing unit in duration "1h30"$/], ['1 h', /^unknown unit " h" in duration "1 h"$/], ['1e3s', /^unknown unit "e" in duration "1e3s"$/],
    ['1sec', /^unknown unit "sec" in duration "1sec"$/], ['1H', /^unknown unit "H"/], ['--1s', /^invalid duration "--1s"$/],
    ['1constructor', /^unknown unit "constructor"/], ['1__proto__', /^unknown unit "__proto__"/],
    ['9223372036854775808ns', /^invalid duration/], ['9223372036854775.808us', /^invalid duration/],
    ['-9223372036854775809ns', /^invalid duration/], ['3000000h', /^invalid duration/],
    ['9223372036854775807ns1ns', /^invalid duration/], ['10000000000000000000000ns', /^invalid duration/],
  ];
  it.each(invalid)('rejects %j', (text, message) => {
    expect(() => parseGoDuration(text)).toThrow(message);
  });

  it('converts to milliseconds, keeping fractions', () => {
    expect(parseGoDurationMs('1h30m')).toBe(5_400_000);
    expect(parseGoDurationMs('300ms')).toBe(300);
    expect(parseGoDurationMs('1.5h')).toBe(5_400_000);
    expect(parseGoDurationMs('-1s')).toBe(-1000);
    expect(parseGoDurationMs('1500us')).toBe(1.5);
    expect(parseGoDurationMs('1ns')).toBe(0.000001);
    expect(nanosToMs(INT64_MAX)).toBeCloseTo(9223372036854.775807, 3);
  });
});

describe('formatGoDuration', () => {
  // Go's Duration.String test table.
  const cases: Array<[string, bigint]> = [
    ['0s', 0n], ['1ns', NS], ['1.1\u00b5s', 1100n * NS], ['2.2ms', 2200n * US], ['3.3s', 3300n * MS],
    ['4m5s', 4n * M + 5n * S], ['4m5.001s', 4n * M + 5001n * MS], ['5h6m7.001s', 5n * H + 6n * M + 7001n * MS],
    ['8m0.000000001s', 8n * M + NS], ['2562047h47m16.854775807s', INT64_MAX], ['-2562047h47m16.854775808s', INT64_MIN],
    ['24h0m0s', 24n * H], ['1h0m0s', H], ['-1.5s', -1500n * MS], ['999ns', 999n], ['1µs', US],
  ];
  it.each(cases)('formats %s', (text, nanos) => {
    expect(formatGoDuration(nanos)).toBe(text);
  });

  it('formats milliseconds', () => {
    expect(formatDurationMs(86_400_000)).toBe('24h0m0s');
    expect(formatDurationMs(5_000)).toBe('5s');
    expect(formatDurationMs(1.5)).toBe('1.5ms');
    expect(msToNanos(0.000001)).toBe(1n);
  });
});

/** Deterministic xorshift64* so failures reproduce. */
function randomBigints(seed: bigint): () => bigint {
  let state = seed;
  const mask = (1n << 64n) - 1n;
  return () => {
    state ^= state >> 12n;
    state ^= (state << 25n) & mask;
    state ^= state >> 27n;
    return (state * 0x2545f4914f6cdd1dn) & mask;
  };
}

describe('parseGoDuration against formatGoDuration (property)', () => {
  it('reads back every formatted int64 exactly', () => {
    const next = randomBigints(0x9e3779b97f4a7c15n);
    for (let n = 0; n < 5000; n++) {
      const bits = next() % 64n; // spread magnitudes from nanoseconds to centuries
      let nanos = next() & ((1n << bits) - 1n);
      if (next() & 1n) nanos = -nanos;
      expect(parseGoDuration(formatGoDuration(nanos)), String(nanos)).toBe(nanos);
    }
    expect(parseGoDuration(formatGoDuration(INT64_MIN))).toBe(INT64_MIN);
    expect(parseGoDuration(formatGoDuration(INT64_MAX))).toBe(INT64_MAX);
  });

  it('sums random multi-unit strings exactly when each fraction is exact in that unit', () => {
    const units: Array<[string, bigint]> = [['h', H], ['m', M], ['s', S], ['ms', MS], ['us', US], ['\u00b5s', US], ['ns', NS]];
    const next = randomBigints(12345n);
    for (let n = 0; n < 3000; n++) {
      let text = next() & 1n ? '-' : '';
      let expected = 0n;
      const parts = 1 + Number(next() % 4n);
      for (let p = 0; p < parts; p++) {
        const [unit, size] = units[Number(next() % BigInt(units.length))]!;
        const whole = next() % 1000n;
        // A fraction with k digits is exact in Go's float step when size is a multiple of 10^k.
        let maxDigits = 0;
        while (size % 10n ** BigInt(maxDigits + 1) === 0n) maxDigits++;
        const digits = Number(next() % BigInt(maxDigits + 1));
        const fraction = digits === 0 ? 0n : next() % 10n ** BigInt(digits);
        text += digits === 0 ? `${whole}${unit}` : `${whole}.${fraction.toString().padStart(digits, '0')}${unit}`;
        expected += whole * size + (fraction * size) / 10n ** BigInt(digits);
      }
      const sign = text.startsWith('-') ? -1n : 1n;
      expect(parseGoDuration(text), text).toBe(sign * expected);
    }
  });
});
