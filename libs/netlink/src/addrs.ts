import { nameOfLink } from './describe.js';
import { withContext } from './errors.js';
import { netlinkNative } from './load-native.js';
import type { AddrInfo } from './types.js';
import { interfaceAddress, linkIndex } from './validate.js';

/** IPv4 addresses, of every link or of one. */
export function listAddrs(index?: number): AddrInfo[] {
  if (index !== undefined) linkIndex(index, 'link index');
  const addrs = withContext(() => 'listing addresses', () => netlinkNative().listAddrs());
  return index === undefined ? addrs : addrs.filter((addr) => addr.index === index);
}

/** Adds "a.b.c.d/len" to the link (EEXIST when present). */
export function addAddr(index: number, cidr: string): void {
  linkIndex(index, 'link index');
  const { address, prefixLen } = interfaceAddress(cidr, 'address');
  withContext(
    () => `adding address ${cidr} to ${nameOfLink(index)}`,
    () => netlinkNative().changeAddr('add', index, address, prefixLen),
  );
}

/** Removes "a.b.c.d/len" from the link (EADDRNOTAVAIL when absent). */
export function deleteAddr(index: number, cidr: string): void {
  linkIndex(index, 'link index');
  const { address, prefixLen } = interfaceAddress(cidr, 'address');
  withContext(
    () => `deleting address ${cidr} from ${nameOfLink(index)}`,
    () => netlinkNative().changeAddr('delete', index, address, prefixLen),
  );
}
