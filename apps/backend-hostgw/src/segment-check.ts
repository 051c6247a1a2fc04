import type { Logger } from 'pino';
import { formatIP4, formatIP4Net, subnetKey } from '@flannel-ts/ip';
import { getRouteTo } from '@flannel-ts/netlink';
import type { Lease } from '@flannel-ts/backend-protocol';

/**
 * host-gw needs each peer's PublicIP directly reachable on the external interface (same L2
 * segment). Asks the kernel once per PublicIP on every pass; logs once when a peer becomes unreachable this way
 * and once when it becomes reachable again.
 */
export class SegmentCheck {
  private readonly unreachable = new Set<string>();
  /** The kernel's answer per PublicIP, for one pass: many subnets often share a host. */
  private readonly answers = new Map<number, string | undefined>();

  constructor(
    private readonly extIndex: number,
    private readonly extName: string,
    private readonly log: Logger,
  ) {}

  /** Forget the kernel's answers: routes may have changed since the last pass. */
  beginPass(): void {
    this.answers.clear();
  }

  reachable(peer: Lease): boolean {
    const key = subnetKey(peer.subnet);
    if (!this.answers.has(peer.publicIp)) this.answers.set(peer.publicIp, this.problem(formatIP4(peer.publicIp)));
    const problem = this.answers.get(peer.publicIp);
    if (problem) {
      if (!this.unreachable.has(key)) {
        this.log.error(`Not routing ${formatIP4Net(peer.subnet)} via ${formatIP4(peer.publicIp)}: ${problem}; host-gw needs all hosts on one L2 segment`);
        this.unreachable.add(key);
      }
      return false;
    }
    if (this.unreachable.delete(key)) this.log.info(`${formatIP4(peer.publicIp)} is reachable on ${this.extName} again; routing ${formatIP4Net(peer.subnet)}`);
    return true;
  }

  forget(peer: Lease): void {
    this.unreachable.delete(subnetKey(peer.subnet));
  }

  private problem(ip: string): string | undefined {
    try {
      const route = getRouteTo(ip);
      if (route.gateway) return `the kernel reaches ${ip} via gateway ${route.gateway}`;
      if (route.oif !== this.extIndex) return `the kernel reaches ${ip} through another interface (index ${route.oif})`;
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  }
}
