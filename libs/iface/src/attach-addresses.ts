import type { NetworkInterfaceInfo } from 'node:os';
import { tryParseIP4 } from '@flannel-ts/ip';
import type { InterfaceAddress, SnapshotInterface } from './snapshot.js';

/** A network device as /sys/class/net describes it. */
export interface LinkInfo {
  readonly name: string;
  readonly index: number;
  readonly mtu: number;
}

/**
 * Joins links with the IPv4 addresses os.networkInterfaces() reports. That list names an address
 * by its label, which for an alias such as "eth0:1" is not a device name, so a label that is not a
 * device is credited to the device named before its first ':'. Result sorted by interface index.
 */
export function attachAddresses(
  links: readonly LinkInfo[],
  addressesByLabel: Readonly<Record<string, readonly NetworkInterfaceInfo[] | undefined>>,
): SnapshotInterface[] {
  const addrsByName = new Map<string, InterfaceAddress[]>(links.map((link) => [link.name, []]));
  for (const [label, infos] of Object.entries(addressesByLabel)) {
    const target = addrsByName.get(label) ?? addrsByName.get(label.split(':')[0] ?? '');
    if (!target) continue;
    for (const info of infos ?? []) {
      const addr = toInterfaceAddress(info);
      if (addr) target.push(addr);
    }
  }
  return links
    .map((link) => ({ ...link, addrs: addrsByName.get(link.name) ?? [] }))
    .sort((a, b) => a.index - b.index);
}

function toInterfaceAddress(info: NetworkInterfaceInfo): InterfaceAddress | undefined {
  if (info.family !== 'IPv4') return undefined;
  const ip = tryParseIP4(info.address);
  const mask = tryParseIP4(info.netmask);
  if (ip === undefined || mask === undefined) return undefined;
  const prefixLen = Math.clz32(~mask >>> 0);
  return { ip, prefixLen };
}
