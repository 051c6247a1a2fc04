import { errorMessage } from '../error-message.js';
import { deleteLinkIfPresent, labIp, linkExists } from '../lab/lab-ip.js';
import type { Lab, LabHost } from '../lab/lab.js';
import { POD_IFACE, POD_TAG_PATTERN, podBridgeName, podNsName, podVethName } from '../lab/names.js';
import { podAddresses } from './pod-addresses.js';

/** A network namespace standing in for a pod, wired to its host like flannel's CNI bridge would. */
export interface Pod {
  /** p1, p2, ...: the number of its host (and its tag: p1b). */
  readonly name: string;
  /** Which of the host's overlays it hangs off: '' for the first, e.g. 'b' for a second one. */
  readonly tag: string;
  /** `<prefix>-p<i>`, one of the lab's namespaces. */
  readonly ns: string;
  readonly host: LabHost;
  /** `.2` of the host's FLANNEL_SUBNET, e.g. 10.244.7.2. */
  readonly ip: string;
  /** `.1`, on the host's bridge fbr0. */
  readonly gateway: string;
  /** The subnet with host bits cleared, e.g. 10.244.7.0/24. */
  readonly subnet: string;
  readonly mtu: number;
}

export interface AddPodOptions {
  /** The host's FLANNEL_SUBNET, e.g. "10.244.7.1/24". */
  readonly subnet: string;
  /** The host's FLANNEL_MTU: used on fbr0 and on both ends of the pod's veth. */
  readonly mtu: number;
  /**
   * For a pod of a second flannel overlay on the same host (another daemon's subnet): a tag of up to
   * 3 of [a-z0-9] that names its namespace `<prefix>-p<i><tag>`, bridge `fbr<tag>` and veth `vp<i><tag>`.
   */
  readonly tag?: string;
}

/**
 * Gives `host` a bridge fbr0 holding the subnet's `.1` and one pod namespace `<prefix>-p<i>` whose eth0
 * (a veth whose host end `vp<i>` is on fbr0) holds `.2` with a default route via `.1`. Calling it again
 * for the same host replaces the pod and the bridge's address (a host whose lease changed).
 */
export async function addPod(lab: Lab, host: LabHost, { subnet, mtu, tag = '' }: AddPodOptions): Promise<Pod> {
  if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65_535) {
    throw new Error(`addPod mtu must be an integer from 68 to 65535, got ${mtu}`);
  }
  if (!POD_TAG_PATTERN.test(tag)) throw new Error(`addPod tag must be up to 3 of [a-z0-9], got ${JSON.stringify(tag)}`);
  const bridge = podBridgeName(tag);
  const index = labHostIndex(lab, host);
  const addresses = podAddresses(subnet);
  const pod: Pod = {
    name: `p${index}${tag}`,
    tag,
    ns: podNsName(lab.prefix, index, tag),
    host,
    ip: addresses.podIp,
    gateway: addresses.gateway,
    subnet: addresses.subnet,
    mtu,
  };
  const veth = podVethName(index, tag);
  try {
    await removePodNamespace(lab, pod, veth);
    if (!(await linkExists(lab, host.ns, bridge))) await labIp(lab, host.ns, [`link add ${bridge} type bridge`]);
    await flushIPv4(lab, host.ns, bridge);
    await labIp(lab, host.ns, [
      `link set ${bridge} mtu ${mtu}`,
      `addr add ${addresses.gateway}/${addresses.prefixLen} dev ${bridge}`,
      `link set ${bridge} up`,
    ]);
    await lab.addNamespace(pod.ns);
    // Created from inside the pod so neither end ever exists in the root namespace.
    await labIp(lab, pod.ns, [
      `link add ${POD_IFACE} mtu ${mtu} type veth peer name ${veth} mtu ${mtu} netns ${host.ns}`,
      `addr add ${pod.ip}/${addresses.prefixLen} dev ${POD_IFACE}`,
      `link set ${POD_IFACE} up`,
      `route add default via ${pod.gateway}`,
    ]);
    await labIp(lab, host.ns, [`link set ${veth} master ${bridge}`, `link set ${veth} up`]);
  } catch (error) {
    throw new Error(`adding pod ${pod.name} (${subnet}) to ${host.name}: ${errorMessage(error)}`, { cause: error });
  }
  return pod;
}

/** Undoes addPod: deletes the pod's namespace and veth and its host's bridge fbr0. */
export async function removePod(lab: Lab, pod: Pod): Promise<void> {
  const index = labHostIndex(lab, pod.host);
  await removePodNamespace(lab, pod, podVethName(index, pod.tag));
  await deleteLinkIfPresent(lab, pod.host.ns, podBridgeName(pod.tag));
}

async function removePodNamespace(lab: Lab, pod: Pod, veth: string): Promise<void> {
  // Deleting one veth end takes the other with it at once; a namespace's links go asynchronously,
  // and a lingering vp<i> would make the next addPod fail.
  await deleteLinkIfPresent(lab, pod.host.ns, veth);
  await lab.removeNamespace(pod.ns);
}

async function flushIPv4(lab: Lab, ns: string, link: string): Promise<void> {
  const result = await lab.exec(ns, ['ip', '-4', 'addr', 'flush', 'dev', link]);
  if (result.exitCode !== 0) throw new Error(`ip -4 addr flush dev ${link} in ${ns}: ${result.stderr.trim()}`);
}

/** 1-based number of one of the lab's hosts. */
function labHostIndex(lab: Lab, host: LabHost): number {
  const index = lab.hosts.findIndex((candidate) => candidate.ns === host.ns);
  if (index < 0) throw new Error(`host ${host.name} (${host.ns}) is not one of lab ${lab.prefix}'s hosts`);
  return index + 1;
}
