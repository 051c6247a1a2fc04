import { randomBytes } from 'node:crypto';

export const LAB_SUBNET_PREFIX_LEN = 24;
export const LAB_SWITCH_IP = '192.0.2.1';
export const LAB_BRIDGE = 'br0';
export const LAB_HOST_IFACE = 'eth0';
/** Host i (1-based) gets 192.0.2.(10+i); keeps us inside TEST-NET-1. */
export const LAB_MAX_HOSTS = 200;

const PREFIX_PATTERN = /^[a-z0-9]{1,12}$/;

/** `ft<base36 pid><3 random base36 chars>`: unique per run, short enough for namespace and link names. */
export function makeLabPrefix(pid = process.pid): string {
  const random = [...randomBytes(3)].map((byte) => (byte % 36).toString(36)).join('');
  return `ft${pid.toString(36)}${random}`;
}

export function assertLabPrefix(prefix: string): void {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new Error(`lab prefix ${JSON.stringify(prefix)} must be 1-12 characters of [a-z0-9]`);
  }
}

export const switchNsName = (prefix: string): string => `${prefix}-sw`;
export const hostNsName = (prefix: string, index: number): string => `${prefix}-h${index}`;
/** The switch-side end of host i's veth (lives only in the switch namespace). */
export const switchPortName = (index: number): string => `h${index}`;
export const hostIp = (index: number): string => `192.0.2.${10 + index}`;

/** True when `ns` belongs to the lab with this prefix. */
export const isLabNamespace = (prefix: string, ns: string): boolean => ns.startsWith(`${prefix}-`);

/** etcd member i (1-based) of a lab cluster: its namespace, its switch port and 192.0.2.(1+i), below the hosts. */
export const LAB_MAX_ETCD_MEMBERS = 9;
export const etcdMemberNsName = (prefix: string, index: number): string => `${prefix}-e${index}`;
export const etcdMemberPortName = (index: number): string => `e${index}`;
export const etcdMemberIp = (index: number): string => `192.0.2.${1 + index}`;

/**
 * The pod of host i lives in `<prefix>-p<i>`; a pod of a second overlay on the same host (tag "b")
 * in `<prefix>-p<i>b`.
 */
export const podNsName = (prefix: string, hostIndex: number, tag = ''): string => `${prefix}-p${hostIndex}${tag}`;
/** The bridge in a host namespace that pods hang off (flannel's CNI calls its bridge cni0); `fbr<tag>` for a tagged overlay. */
export const POD_BRIDGE = 'fbr0';
export const podBridgeName = (tag = ''): string => (tag === '' ? POD_BRIDGE : `fbr${tag}`);
export const POD_IFACE = 'eth0';
/** The host-side end of host i's pod veth. */
export const podVethName = (hostIndex: number, tag = ''): string => `vp${hostIndex}${tag}`;
/** A pod tag: a few lowercase letters or digits, short enough for link names. */
export const POD_TAG_PATTERN = /^[a-z0-9]{0,3}$/;
