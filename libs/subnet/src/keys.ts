import { formatIP4, ip4Net, tryParseIP4, type IP4Net } from '@flannel-ts/ip';

export function configKey(prefix: string): string {
  return `${trimSlash(prefix)}/config`;
}

/** The network a `<prefix>/<name>/config` key belongs to, or undefined for any other key. */
export function networkOfConfigKey(prefix: string, key: string): string | undefined {
  const base = `${trimSlash(prefix)}/`;
  if (!key.startsWith(base) || !key.endsWith('/config')) return undefined;
  const name = key.slice(base.length, -'/config'.length);
  return name !== '' && !name.includes('/') ? name : undefined;
}

export function subnetsPrefix(prefix: string): string {
  return `${trimSlash(prefix)}/subnets/`;
}

export function leaseKey(prefix: string, subnet: IP4Net): string {
  return `${subnetsPrefix(prefix)}${formatIP4(subnet.ip)}-${subnet.prefixLen}`;
}

export function trimSlash(prefix: string): string {
  return prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
}

// Go flanneld v0.20's key regex: the IPv4 part, optionally followed by a dual-stack "&<ipv6>-<len>" suffix.
const LEASE_KEY = /(\d+\.\d+\.\d+\.\d+)-(\d+)(?:&([a-f\d:]+)-(\d+))?$/;

/** The IPv4 subnet a lease key names, or undefined when the key is not a lease key. */
export function parseLeaseKey(key: string): IP4Net | undefined {
  const m = LEASE_KEY.exec(key);
  if (!m) return undefined;
  const ip = tryParseIP4(m[1]!);
  const len = Number(m[2]);
  if (ip === undefined || !Number.isInteger(len) || len > 32 || m[2]!.length > 2) return undefined;
  const net = ip4Net(ip, len);
  // A key whose address has host bits set is not something flannel writes.
  return net.ip === ip ? net : undefined;
}
