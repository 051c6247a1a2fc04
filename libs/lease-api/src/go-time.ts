/** What Go's zero `time.Time` marshals to: a reservation's (or a removed lease's) Expiration. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * A time as Go's `time.Time` marshals to JSON (RFC 3339 with nanoseconds, trailing zeros of the
 * fraction trimmed, no fraction when it is zero), in UTC. Undefined is Go's zero time. JavaScript
 * times carry milliseconds, so at most three fraction digits appear.
 */
export function formatGoTime(time: Date | undefined): string {
  if (time === undefined) return GO_ZERO_TIME;
  const ms = time.getTime();
  if (!Number.isFinite(ms)) throw new Error('invalid time');
  const year = time.getUTCFullYear();
  if (year < 0 || year > 9999) throw new Error(`time ${time.toISOString()} is outside Go's RFC 3339 range`);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const fraction = pad(time.getUTCMilliseconds(), 3).replace(/0+$/, '');
  return (
    `${pad(year, 4)}-${pad(time.getUTCMonth() + 1)}-${pad(time.getUTCDate())}` +
    `T${pad(time.getUTCHours())}:${pad(time.getUTCMinutes())}:${pad(time.getUTCSeconds())}` +
    `${fraction ? `.${fraction}` : ''}Z`
  );
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * Reads an RFC 3339 time as Go's `time.Time` unmarshals it (any offset, up to nanoseconds, kept to
 * milliseconds). Go's zero time reads as undefined. Throws on anything else.
 */
export function parseGoTime(text: string): Date | undefined {
  const m = RFC3339.exec(text);
  if (!m) throw new Error(`bad time ${JSON.stringify(text)}: not RFC 3339`);
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Number(((m[7] ?? '') + '000').slice(0, 3));
  const offsetMinutes = m[8] ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    throw new Error(`bad time ${JSON.stringify(text)}: out of range`);
  }
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, ms);
  if (utc.getUTCDate() !== day) throw new Error(`bad time ${JSON.stringify(text)}: no such day`);
  const time = new Date(utc.getTime() - offsetMinutes * 60_000);
  return time.getTime() === ZERO_MS ? undefined : time;
}

// Date.UTC maps years 0–99 to 1900–1999: year 1 is reached through setUTCFullYear.
const ZERO_MS = (() => {
  const zero = new Date(0);
  zero.setUTCFullYear(1, 0, 1);
  return zero.getTime();
})();
