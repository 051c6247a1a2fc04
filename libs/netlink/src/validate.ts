// Argument checks at the facade's boundary: a wrong call fails here, naming the field and value,
// before anything reaches the kernel.
import { formatIP4Net, tryParseIP4, tryParseIP4Net } from '@flannel-ts/ip';

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;
const IFNAMSIZ = 16;

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

export function linkIndex(value: unknown, field: string): number {
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 0x7fffffff) {
    throw new TypeError(`netlink: ${field} must be a link index (a positive integer), got ${show(value)}`);
  }
  return value as number;
}

export function uint(value: unknown, field: string, max: number): number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > max) {
    throw new TypeError(`netlink: ${field} must be an integer from 0 to ${max}, got ${show(value)}`);
  }
  return value as number;
}

export function ipv4(value: unknown, field: string): string {
  if (typeof value !== 'string' || tryParseIP4(value) === undefined) {
    throw new TypeError(`netlink: ${field} must be a dotted IPv4 address, got ${show(value)}`);
  }
  return value;
}

/** "a.b.c.d/len" naming a prefix, canonical: host bits must be clear, as the kernel requires of a route. */
export function prefix(value: unknown, field: string): { address: string; prefixLen: number; text: string } {
  const net = typeof value === 'string' ? tryParseIP4Net(value) : undefined;
  if (net === undefined) throw new TypeError(`netlink: ${field} must be an IPv4 prefix "a.b.c.d/len", got ${show(value)}`);
  const canonical = formatIP4Net(net);
  if (canonical !== value) {
    throw new TypeError(`netlink: ${field} ${show(value)} is not a canonical prefix (host bits set?); did you mean "${canonical}"?`);
  }
  const [address = '', len = ''] = canonical.split('/');
  return { address, prefixLen: Number(len), text: canonical };
}

/** "a.b.c.d/len" naming an interface address: host bits are the point. */
export function interfaceAddress(value: unknown, field: string): { address: string; prefixLen: number } {
  const [address, len, extra] = typeof value === 'string' ? value.split('/') : [];
  if (address === undefined || len === undefined || extra !== undefined || tryParseIP4(address) === undefined || !/^\d{1,2}$/.test(len) || Number(len) > 32) {
    throw new TypeError(`netlink: ${field} must be an IPv4 address with prefix length "a.b.c.d/len", got ${show(value)}`);
  }
  return { address, prefixLen: Number(len) };
}

export function mac(value: unknown, field: string): string {
  if (typeof value !== 'string' || !MAC.test(value)) {
    throw new TypeError(`netlink: ${field} must be a MAC address like "0a:1b:2c:3d:4e:5f", got ${show(value)}`);
  }
  return value.toLowerCase();
}

export function linkName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length >= IFNAMSIZ || /[\s/:]/.test(value)) {
    throw new TypeError(`netlink: ${field} must be a link name of 1 to ${IFNAMSIZ - 1} characters without spaces, "/" or ":", got ${show(value)}`);
  }
  return value;
}

export function optionalBoolean(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`netlink: ${field} must be a boolean, got ${show(value)}`);
  return value;
}
