import { formatIP4, formatIP4Net, tryParseIP4Net } from '@flannel-ts/ip';

/** Where a pod sits inside its host's FLANNEL_SUBNET. */
export interface PodAddresses {
  /** The subnet itself, host bits cleared: "10.244.7.0/24". */
  readonly subnet: string;
  readonly prefixLen: number;
  /** `.1`, held by the host's pod bridge. */
  readonly gateway: string;
  /** `.2`, the pod's eth0. */
  readonly podIp: string;
}

/** Reads FLANNEL_SUBNET ("10.244.7.1/24"; any address inside the subnet works) into pod addresses. */
export function podAddresses(flannelSubnet: string): PodAddresses {
  const net = tryParseIP4Net(flannelSubnet);
  if (net === undefined) throw new Error(`pod subnet ${JSON.stringify(flannelSubnet)} is not an IPv4 CIDR like 10.244.7.1/24`);
  if (net.prefixLen > 30) {
    throw new Error(
      `pod subnet ${flannelSubnet} is too small: a /${net.prefixLen} has no room for a gateway and a pod (need /30 or larger)`,
    );
  }
  return {
    subnet: formatIP4Net(net),
    prefixLen: net.prefixLen,
    gateway: formatIP4(net.ip + 1),
    podIp: formatIP4(net.ip + 2),
  };
}
