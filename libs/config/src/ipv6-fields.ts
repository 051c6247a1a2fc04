import { isIP, isIPv6 } from 'node:net';
import { tryParseIP4Net } from '@flannel-ts/ip';
import type { JsonFields } from './json-fields.js';

/**
 * flannel v0.20's IPv6 fields. We are IPv4 only: `EnableIPv6: true` is refused, and the other IPv6 fields
 * are only checked for the JSON types and address syntax Go flanneld would reject, so a config that a
 * Go peer cannot decode fails here too.
 */
export function checkIPv6Fields(fields: JsonFields): void {
  if (fields.bool('EnableIPv6') === true) {
    fields.fail('EnableIPv6', 'IPv6 is not supported (flannel-ts is IPv4 only; remove EnableIPv6 or set it to false)');
  }
  const network = fields.string('IPv6Network', { nullAllowed: false });
  if (network !== undefined) checkCIDR(fields, 'IPv6Network', network);
  fields.uint('IPv6SubnetLen');
  for (const name of ['IPv6SubnetMin', 'IPv6SubnetMax']) {
    const address = fields.string(name);
    if (address !== undefined && !isGoIP(address)) fields.failType(name, 'an IP address', address);
  }
  fields.array('IPv6Networks')?.forEach((entry, i) => {
    const name = `IPv6Networks[${i}]`;
    if (typeof entry !== 'string') fields.failType(name, 'a CIDR string', entry);
    checkCIDR(fields, name, entry);
  });
}

function checkCIDR(fields: JsonFields, name: string, text: string): void {
  if (!isGoCIDR(text)) fields.failType(name, 'a CIDR like fd00::/56', text);
}

/** Go's net.ParseIP: IPv4 or IPv6, no zone. */
function isGoIP(text: string): boolean {
  return !text.includes('%') && isIP(text) !== 0;
}

/** Go's net.ParseCIDR: an IPv4 or IPv6 address, "/", and a prefix length that fits the family. */
function isGoCIDR(text: string): boolean {
  if (tryParseIP4Net(text) !== undefined) return true;
  const slash = text.indexOf('/');
  const address = text.slice(0, slash);
  const length = text.slice(slash + 1);
  return slash > 0 && !address.includes('%') && isIPv6(address) && /^\d{1,3}$/.test(length) && Number(length) <= 128;
}
