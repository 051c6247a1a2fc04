/** An IPv4 address as an unsigned 32-bit integer (network order value, host number type). */
export type IP4 = number;

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses a dotted quad; returns undefined for anything else (as Go's net.ParseIP for IPv4). */
export function tryParseIP4(text: string): IP4 | undefined {
  const m = DOTTED_QUAD.exec(text);
  if (!m) return undefined;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const part = m[i]!;
    if (part.length > 1 && part.startsWith('0')) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function parseIP4(text: string): IP4 {
  const ip = tryParseIP4(text);
  if (ip === undefined) throw new Error(`invalid IPv4 address "${text}"`);
  return ip;
}

export function formatIP4(ip: IP4): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

export function isLinkLocalIP4(ip: IP4): boolean {
  return ip >>> 16 === 0xa9fe; // 169.254.0.0/16
}

/** Go's IP.IsGlobalUnicast for IPv4: not unspecified, broadcast, loopback, multicast or link-local. */
export function isGlobalUnicastIP4(ip: IP4): boolean {
  if (ip === 0 || ip === 0xffffffff) return false;
  if (ip >>> 24 === 127) return false;
  if (ip >>> 28 === 0xe) return false;
  return !isLinkLocalIP4(ip);
}
