// Go's time.ParseDuration and time.Duration.String, on nanoseconds held in a bigint so that the
// whole int64 range is exact. The arithmetic (including the float64 step for fractions) follows
// Go's so both sides read every string to the same nanosecond.

const NANOS_PER_MS = 1_000_000n;
const NANOS_PER_SECOND = 1_000_000_000n;
const INT64_LIMIT = 1n << 63n;

const UNIT_NANOS = new Map<string, bigint>([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // micro sign
  ['\u03bcs', 1_000n], // Greek mu
  ['ms', NANOS_PER_MS],
  ['s', NANOS_PER_SECOND],
  ['m', 60n * NANOS_PER_SECOND],
  ['h', 3_600n * NANOS_PER_SECOND],
]);

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/**
 * Parses "300ms", "-1.5h", "2h45m", "0" ... into nanoseconds. Throws an Error saying what is
 * wrong: `invalid duration "x"`, `missing unit in duration "3"`, `unknown unit "d" in duration "1d"`.
 */
export function parseGoDuration(text: string): bigint {
  const invalid = (): Error => new Error(`invalid duration ${JSON.stringify(text)}`);
  let rest = text;
  let negative = false;
  if (rest[0] === '-' || rest[0] === '+') {
    negative = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') throw invalid();

  let total = 0n;
  while (rest !== '') {
    if (rest[0] !== '.' && !isDigit(rest[0])) throw invalid();

    let whole = 0n;
    let i = 0;
    for (; isDigit(rest[i]); i++) {
      if (whole > INT64_LIMIT / 10n) throw invalid();
      whole = whole * 10n + BigInt(rest.charCodeAt(i) - 48);
      if (whole > INT64_LIMIT) throw invalid();
    }
    const hasWholeDigits = i > 0;
    rest = rest.slice(i);

    let fraction = 0n;
    let scale = 1; // a float64 in Go too
    let hasFractionDigits = false;
    if (rest[0] === '.') {
      let j = 1;
      let overflowed = false;
      for (; isDigit(rest[j]); j++) {
        if (overflowed) continue;
        const next = fraction * 10n + BigInt(rest.charCodeAt(j) - 48);
        if (fraction > (INT64_LIMIT - 1n) / 10n || next > INT64_LIMIT) {
          overflowed = true; // further digits are too small to matter
          continue;
        }
        fraction = next;
        scale *= 10;
      }
      hasFractionDigits = j > 1;
      rest = rest.slice(j);
    }
    if (!hasWholeDigits && !hasFractionDigits) throw invalid();

    let unitEnd = 0;
    while (unitEnd < rest.length && rest[unitEnd] !== '.' && !isDigit(rest[unitEnd])) unitEnd++;
    if (unitEnd === 0) throw new Error(`missing unit in duration ${JSON.stringify(text)}`);
    const unitName = rest.slice(0, unitEnd);
    rest = rest.slice(unitEnd);
    const unit = UNIT_NANOS.get(unitName);
    if (unit === undefined) {
      throw new Error(`unknown unit ${JSON.stringify(unitName)} in duration ${JSON.stringify(text)}`);
    }

    if (whole > INT64_LIMIT / unit) throw invalid();
    let nanos = whole * unit;
    if (fraction > 0n) {
      nanos += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)));
      if (nanos > INT64_LIMIT) throw invalid();
    }
    total += nanos;
    if (total > INT64_LIMIT) throw invalid();
  }
  if (negative) return -total;
  if (total > INT64_LIMIT - 1n) throw invalid();
  return total;
}

/** A Go duration string in milliseconds (fractions of a millisecond kept). */
export function parseGoDurationMs(text: string): number {
  return nanosToMs(parseGoDuration(text));
}

export function nanosToMs(nanos: bigint): number {
  return Number(nanos / NANOS_PER_MS) + Number(nanos % NANOS_PER_MS) / 1e6;
}

export function msToNanos(ms: number): bigint {
  const whole = Math.trunc(ms);
  return BigInt(whole) * NANOS_PER_MS + BigInt(Math.round((ms - whole) * 1e6));
}

/** Keeps `digits` decimals of value/10^digits, dropping trailing zeros (and the dot if none are left). */
function withDecimals(value: bigint, digits: number): string {
  const divisor = 10n ** BigInt(digits);
  const fraction = (value % divisor).toString().padStart(digits, '0').replace(/0+$/, '');
  return `${value / divisor}${fraction === '' ? '' : `.${fraction}`}`;
}

/** Go's Duration.String: "1h0m0s", "1m30s", "1.5s", "2.5ms", "500µs", "3ns", "0s". */
export function formatGoDuration(nanos: bigint): string {
  const sign = nanos < 0n ? '-' : '';
  const magnitude = nanos < 0n ? -nanos : nanos;
  if (magnitude === 0n) return '0s';
  if (magnitude < 1_000n) return `${sign}${magnitude}ns`;
  if (magnitude < NANOS_PER_MS) return `${sign}${withDecimals(magnitude, 3)}\u00b5s`;
  if (magnitude < NANOS_PER_SECOND) return `${sign}${withDecimals(magnitude, 6)}ms`;

  const subSecond = magnitude % NANOS_PER_SECOND;
  const totalSeconds = magnitude / NANOS_PER_SECOND;
  const seconds = `${withDecimals((totalSeconds % 60n) * NANOS_PER_SECOND + subSecond, 9)}s`;
  const totalMinutes = totalSeconds / 60n;
  if (totalMinutes === 0n) return `${sign}${seconds}`;
  const hours = totalMinutes / 60n;
  const minutes = `${totalMinutes % 60n}m`;
  return `${sign}${hours > 0n ? `${hours}h` : ''}${minutes}${seconds}`;
}

export function formatDurationMs(ms: number): string {
  return formatGoDuration(msToNanos(ms));
}
