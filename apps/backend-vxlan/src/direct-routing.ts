import type { Logger } from '@flannel-ts/log';
import { formatIP4, formatIP4Net, subnetKey } from '@flannel-ts/ip';
import { getRouteTo } from '@flannel-ts/netlink';
import type { VxlanPeer } from './peer-set.js';

/**
 * DirectRouting: a peer whose PublicIP the kernel reaches without a gateway through the external
 * interface (the same L2 segment) gets a plain route instead of the tunnel. Asks the kernel on
 * every pass and logs when a peer switches between the two.
 */
export class DirectRouting {
  private readonly lastDirect = new Map<string, boolean>();

  constructor(
    private readonly extIndex: number,
    private readonly log: Logger,
  ) {}

  isDirect(peer: VxlanPeer): boolean {
    const ip = formatIP4(peer.publicIp);
    let direct: boolean;
    try {
      const route = getRouteTo(ip);
      direct = route.gateway === undefined && route.oif === this.extIndex;
    } catch {
      direct = false; // unreachable: the tunnel route fails the same way, and says so
    }
    const key = subnetKey(peer.subnet);
    const before = this.lastDirect.get(key);
    if (before !== direct) {
      // A first decision per peer is routine (1,000 peers, 1,000 lines); a switch is news.
      const level = before === undefined ? 'debug' : 'info';
      this.log[level](`${direct ? 'Routing directly' : 'Using vxlan'} to ${formatIP4Net(peer.subnet)} (${ip})`);
      this.lastDirect.set(key, direct);
    }
    return direct;
  }

  /** Forgets peers no longer present. */
  retain(present: ReadonlySet<string>): void {
    for (const key of this.lastDirect.keys()) if (!present.has(key)) this.lastDirect.delete(key);
  }
}
