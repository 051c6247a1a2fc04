import { ConfigError } from './errors.js';
import { quoteValue } from './quote.js';

/** A decoded JSON object. */
export type JsonObject = { readonly [key: string]: unknown };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Short, one-line rendering of a JSON value for error messages: `"24"`, `-1`, `null`, `an array`. */
export function describeJsonValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (isJsonObject(value)) return 'an object';
  if (typeof value === 'string') return quoteValue(value);
  return String(value);
}

/** Parses a whole document that must be a JSON object; `what` names it in errors ("" for the config). */
export function parseJsonObject(text: string, what = ''): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(what, `invalid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!isJsonObject(value)) throw new ConfigError(what, `must be a JSON object (got ${describeJsonValue(value)})`);
  return value;
}

/**
 * Go's encoding/json matches keys to field names case-insensitively with Unicode simple folding. For
 * our ASCII field names that is ASCII lower-casing plus the two non-ASCII letters that fold onto
 * ASCII ones: U+017F (long s) and U+212A (Kelvin sign).
 */
export function foldFieldName(key: string): string {
  return key.replace(/[A-Z\u017f\u212a]/g, (c) => (c === '\u017f' ? 's' : c === '\u212a' ? 'k' : c.toLowerCase()));
}

export interface IntRange {
  readonly min: number;
  readonly max: number;
}

/**
 * Typed, case-insensitive reads of one JSON object's fields, with Go encoding/json's rules: unknown keys
 * are ignored, the last key matching a field wins, and `null` leaves a plain field at its default
 * (returned here as undefined). A value of the wrong JSON type is a ConfigError naming `<path>.<Field>`.
 */
export class JsonFields {
  constructor(
    private readonly object: JsonObject,
    private readonly path = '',
  ) {}

  fieldName(name: string): string {
    return this.path === '' ? name : `${this.path}.${name}`;
  }

  /** The raw value, undefined when no key matches. */
  raw(name: string): unknown {
    const wanted = foldFieldName(name);
    let found: unknown = undefined;
    for (const [key, value] of Object.entries(this.object)) {
      if (foldFieldName(key) === wanted) found = value;
    }
    return found;
  }

  fail(name: string, detail: string): never {
    throw new ConfigError(this.fieldName(name), detail);
  }

  failType(name: string, expected: string, value: unknown): never {
    this.fail(name, `must be ${expected} (got ${describeJsonValue(value)})`);
  }

  /**
   * A string field. With `nullAllowed: false`, null is a type error: Go fields that decode themselves
   * (CIDRs, IP addresses) reject null rather than ignore it.
   */
  string(name: string, { nullAllowed = true } = {}): string | undefined {
    const value = this.raw(name);
    if (value === undefined || (value === null && nullAllowed)) return undefined;
    if (typeof value !== 'string') this.failType(name, 'a string', value);
    return value;
  }

  bool(name: string): boolean | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') this.failType(name, 'true or false', value);
    return value;
  }

  /** A Go `uint` field: a JSON number that is a non-negative integer. */
  uint(name: string): number | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      this.failType(name, 'an unsigned integer', value);
    }
    return value;
  }

  /** A Go `int` field: a JSON number that is an integer, here also checked against `range`. */
  int(name: string, range: IntRange): number | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) this.failType(name, 'an integer', value);
    if (value < range.min || value > range.max) {
      this.fail(name, `must be between ${range.min} and ${range.max} (got ${value})`);
    }
    return value;
  }

  /** A Go slice field: a JSON array (null means absent). */
  array(name: string): readonly unknown[] | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) this.failType(name, 'a list', value);
    return value;
  }
}
