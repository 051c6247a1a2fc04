import { formatIP4, formatIP4Net, type IP4, type IP4Net } from '@flannel-ts/ip';
import { addAddr, deleteAddr, getLink, listAddrs, replaceRoute, setLinkMtu, setLinkUp } from '@flannel-ts/netlink';

/**
 * Gives the TUN device Go flanneld v0.20's configuration: MTU, `<lease IP>/32`, up,
 * then `<Network> dev <tun>` scope universe (replacing a route someone else, e.g. Docker, had).
 * Returns the device's index.
 */
export function configureTun(name: string, { address, mtu, network }: { address: IP4; mtu: number; network: IP4Net }): number {
  const link = getLink(name);
  if (link === undefined) throw new Error(`TUN device ${name} vanished before it was configured`);
  setLinkMtu(link.index, mtu);
  addAddr(link.index, `${formatIP4(address)}/32`);
  setLinkUp(link.index);
  routeNetwork(link.index, network);
  return link.index;
}

/** A changed lease: the device's only address becomes the new lease IP (added first, so the
 * device never loses every address, which would take the route with it). */
export function readdressTun(index: number, address: IP4, network: IP4Net): void {
  const wanted = formatIP4(address);
  if (!listAddrs(index).some((addr) => addr.address === wanted && addr.prefixLen === 32)) addAddr(index, `${wanted}/32`);
  for (const addr of listAddrs(index)) {
    if (addr.address !== wanted || addr.prefixLen !== 32) deleteAddr(index, `${addr.address}/${addr.prefixLen}`);
  }
  routeNetwork(index, network);
}

function routeNetwork(index: number, network: IP4Net): void {
  replaceRoute({ dst: formatIP4Net(network), oif: index, scope: 'universe' });
}
