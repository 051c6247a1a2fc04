import { containsIP4, ip4Net, isGlobalUnicastIP4, isLinkLocalIP4, type IP4 } from '@flannel-ts/ip';
import type { SnapshotInterface } from './snapshot.js';

/** The first global unicast IPv4 address of the interface, else its first link-local one. */
export function primaryAddressOf(iface: SnapshotInterface): IP4 | undefined {
  const ips = iface.addrs.map((addr) => addr.ip);
  return ips.find(isGlobalUnicastIP4) ?? ips.find(isLinkLocalIP4);
}

/**
 * The source address the kernel would prefer for packets to `nextHop` leaving through `iface`:
 * an address whose subnet holds the next hop, else the interface's primary address.
 */
export function sourceAddressFor(iface: SnapshotInterface, nextHop: IP4): IP4 | undefined {
  const onLink = iface.addrs.find(
    (addr) => (isGlobalUnicastIP4(addr.ip) || isLinkLocalIP4(addr.ip)) &&
      containsIP4(ip4Net(addr.ip, addr.prefixLen), nextHop),
  );
  return onLink?.ip ?? primaryAddressOf(iface);
}
