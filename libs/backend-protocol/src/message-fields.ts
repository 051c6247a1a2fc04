import type { JsonObject } from '@flannel-ts/config';
import { formatIP4Net, tryParseIP4, tryParseIP4Net, type IP4, type IP4Net } from '@flannel-ts/ip';
import { ProtocolError } from './protocol-error.js';

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short, one-line rendering of a JSON value for error messages: `"10.1.2.0/33"`, `7`, `null`, `an array`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (isJsonObject(value)) return 'an object';
  if (typeof value === 'string') {
    const quoted = JSON.stringify(value);
    return quoted.length > 60 ? `${quoted.slice(0, 56)}..."` : quoted;
  }
  return String(value);
}

/**
 * Typed reads of one object inside a message. Every failure is a ProtocolError reading
 * `<message type>: <path>: <what is wrong>`, e.g. `peers: snapshot[3].subnet: "10.1.2.0/33" is not an IPv4 prefix`.
 * Unknown fields are ignored, so a later revision of v1 may add optional fields.
 */
export class MessageFields {
  constructor(
    readonly messageType: string,
    private readonly value: JsonObject,
    private readonly path = '',
  ) {}

  fail(field: string, detail: string): never {
    throw new ProtocolError(`${this.messageType}: ${this.where(field)}: ${detail}`, 'malformed', this.messageType);
  }

  has(field: string): boolean {
    return Object.hasOwn(this.value, field) && this.value[field] !== undefined;
  }

  string(field: string): string {
    const value = this.required(field);
    if (typeof value !== 'string') this.fail(field, `expected a string, got ${describeValue(value)}`);
    return value;
  }

  nonEmptyString(field: string): string {
    const value = this.string(field);
    if (value === '') this.fail(field, 'must not be empty');
    return value;
  }

  optionalString(field: string): string | undefined {
    return this.has(field) ? this.string(field) : undefined;
  }

  integer(field: string, min: number, max: number): number {
    const value = this.required(field);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(field, `expected an integer from ${min} to ${max}, got ${describeValue(value)}`);
    }
    return value;
  }

  /** A finite number. */
  number(field: string): number {
    const value = this.required(field);
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(field, `expected a number, got ${describeValue(value)}`);
    return value;
  }

  stringArray(field: string): string[] {
    const value = this.required(field);
    if (!Array.isArray(value)) this.fail(field, `expected an array, got ${describeValue(value)}`);
    return value.map((item: unknown, index) => {
      if (typeof item !== 'string') this.fail(`${field}[${index}]`, `expected a string, got ${describeValue(item)}`);
      return item;
    });
  }

  /** An object whose values are all strings (e.g. metric labels). */
  optionalStringRecord(field: string): Record<string, string> | undefined {
    const value = this.has(field) ? this.object(field) : undefined;
    for (const [key, item] of Object.entries(value ?? {})) {
      if (typeof item !== 'string') this.fail(`${field}.${key}`, `expected a string, got ${describeValue(item)}`);
    }
    return value as Record<string, string> | undefined;
  }

  boolean(field: string): boolean {
    const value = this.required(field);
    if (typeof value !== 'boolean') this.fail(field, `expected true or false, got ${describeValue(value)}`);
    return value;
  }

  /** A dotted quad. */
  ip4(field: string): IP4 {
    const value = this.required(field);
    const ip = typeof value === 'string' ? tryParseIP4(value) : undefined;
    if (ip === undefined) this.fail(field, `${describeValue(value)} is not an IPv4 address`);
    return ip;
  }

  /** "a.b.c.d/len" in canonical form: host bits clear. */
  prefix(field: string): IP4Net {
    const value = this.required(field);
    const net = typeof value === 'string' ? tryParseIP4Net(value) : undefined;
    if (net === undefined) this.fail(field, `${describeValue(value)} is not an IPv4 prefix`);
    const canonical = formatIP4Net(net);
    if (canonical !== value) this.fail(field, `${describeValue(value)} is not in canonical form (expected ${canonical})`);
    return net;
  }

  object(field: string): JsonObject {
    const value = this.required(field);
    if (!isJsonObject(value)) this.fail(field, `expected a JSON object, got ${describeValue(value)}`);
    return value;
  }

  optionalObject(field: string): JsonObject | undefined {
    return this.has(field) ? this.object(field) : undefined;
  }

  /** The fields of a nested object. */
  nested(field: string): MessageFields {
    return new MessageFields(this.messageType, this.object(field), this.where(field));
  }

  /** Reads each element of an array of objects with `read`. */
  eachObject<T>(field: string, read: (item: MessageFields, index: number) => T): T[] {
    const value = this.required(field);
    if (!Array.isArray(value)) this.fail(field, `expected an array, got ${describeValue(value)}`);
    return value.map((item: unknown, index) => {
      const at = `${field}[${index}]`;
      if (!isJsonObject(item)) this.fail(at, `expected a JSON object, got ${describeValue(item)}`);
      return read(new MessageFields(this.messageType, item, this.where(at)), index);
    });
  }

  private required(field: string): unknown {
    if (!this.has(field)) this.fail(field, 'is missing');
    return this.value[field];
  }

  private where(field: string): string {
    return this.path === '' ? field : `${this.path}.${field}`;
  }
}
