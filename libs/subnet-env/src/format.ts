import { formatIP4, formatIP4Net, type IP4Net } from '@flannel-ts/ip';

export interface SubnetEnvValues {
  /** The config `Network`. */
  readonly network: IP4Net;
  /** This node's lease (host bits clear); the file states its first address. */
  readonly subnet: IP4Net;
  readonly mtu: number;
  readonly ipMasq: boolean;
}

/** The env file's bytes: `KEY=value\n` lines, unquoted, in flannel's fixed order. */
export function formatSubnetEnv(values: SubnetEnvValues): string {
  const { network, subnet, mtu, ipMasq } = values;
  if (!Number.isInteger(mtu) || mtu <= 0) throw new Error(`subnet env: invalid MTU ${mtu}`);
  const firstAddress = `${formatIP4(subnet.ip + 1)}/${subnet.prefixLen}`;
  return (
    `FLANNEL_NETWORK=${formatIP4Net(network)}\n` +
    `FLANNEL_SUBNET=${firstAddress}\n` +
    `FLANNEL_MTU=${mtu}\n` +
    `FLANNEL_IPMASQ=${ipMasq}\n`
  );
}
