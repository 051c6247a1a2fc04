import { formatIP4, tryParseIP4, type IP4 } from './ip4.js';

/** An IPv4 prefix. `ip` always has its host bits cleared. */
export interface IP4Net {
  readonly ip: IP4;
  readonly prefixLen: number;
}

export function maskOf(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
}

/** Number of addresses in a prefix of this length (2^(32-len)). */
export function sizeOf(prefixLen: number): number {
  return 2 ** (32 - prefixLen);
}

export function ip4Net(ip: IP4, prefixLen: number): IP4Net {
  if (!Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > 32) {
    throw new Error(`invalid IPv4 prefix length ${prefixLen}`);
  }
  return { ip: (ip & maskOf(prefixLen)) >>> 0, prefixLen };
}

/** Parses "a.b.c.d/len" like Go's net.ParseCIDR, clearing host bits. Undefined when invalid. */
export function tryParseIP4Net(text: string): IP4Net | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = tryParseIP4(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (ip === undefined || !/^\d{1,2}$/.test(lenText)) return undefined;
  const len = Number(lenText);
  if (len > 32) return undefined;
  return ip4Net(ip, len);
}

export function parseIP4Net(text: string): IP4Net {
  const net = tryParseIP4Net(text);
  if (!net) throw new Error(`invalid IPv4 CIDR "${text}"`);
  return net;
}

export function formatIP4Net(net: IP4Net): string {
  return `${formatIP4(net.ip)}/${net.prefixLen}`;
}

export function containsIP4(net: IP4Net, ip: IP4): boolean {
  return ((ip & maskOf(net.prefixLen)) >>> 0) === net.ip;
}

export function overlaps(a: IP4Net, b: IP4Net): boolean {
  const shorter = Math.min(a.prefixLen, b.prefixLen);
  const m = maskOf(shorter);
  return ((a.ip & m) >>> 0) === ((b.ip & m) >>> 0);
}

export function sameNet(a: IP4Net, b: IP4Net): boolean {
  return a.ip === b.ip && a.prefixLen === b.prefixLen;
}

/** The last address of the prefix (broadcast). */
export function lastIP4(net: IP4Net): IP4 {
  return net.ip + sizeOf(net.prefixLen) - 1;
}

/** The subnet's etcd key form, e.g. "10.1.15.0-24". */
export function subnetKey(net: IP4Net): string {
  return `${formatIP4(net.ip)}-${net.prefixLen}`;
}

/** Parses the key form "10.1.15.0-24". Undefined when invalid. */
export function tryParseSubnetKey(text: string): IP4Net | undefined {
  const dash = text.lastIndexOf('-');
  if (dash < 0) return undefined;
  return tryParseIP4Net(`${text.slice(0, dash)}/${text.slice(dash + 1)}`);
}
