import { readSystemSnapshot, selectExternalInterface, type ExternalInterface, type SystemSnapshot } from '@flannel-ts/iface';

export type ReadSnapshot = () => Promise<SystemSnapshot>;

export interface InterfaceQuery {
  /** Name or IPv4 address, as flanneld's --iface; undefined: the default route's interface. */
  readonly iface?: string;
  readonly publicIp?: string;
}

/**
 * Index, MTU and addresses of the external interface, chosen exactly as flanneld chooses it, from
 * /sys/class/net, os.networkInterfaces() and /proc/net/route of the current network namespace.
 * `readSnapshot` is the seam tests replace.
 */
export async function interfaceFacts(query: InterfaceQuery, readSnapshot: ReadSnapshot = readSystemSnapshot): Promise<ExternalInterface> {
  const snapshot = await readSnapshot();
  return selectExternalInterface(snapshot, {
    ifaces: query.iface === undefined ? [] : [query.iface],
    ifaceRegexes: [],
    ...(query.publicIp === undefined ? {} : { publicIp: query.publicIp }),
  });
}
