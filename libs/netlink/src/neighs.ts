import { NTF_SELF, NUD_PERMANENT } from './constants.js';
import { nameOfLink } from './describe.js';
import { withContext } from './errors.js';
import { netlinkNative } from './load-native.js';
import { inPages } from './pages.js';
import type { RawNeighSpec } from './native.js';
import type { NeighFamily, NeighInfo, NeighKey, NeighSpec } from './types.js';
import { ipv4, linkIndex, mac, uint } from './validate.js';

/** ARP entries ('inet') or forwarding-database entries ('bridge'), of every link or of one. */
export function listNeighs(family: NeighFamily, index?: number): NeighInfo[] {
  return [...eachNeigh(family, index)];
}

/** listNeighs read as it is iterated, a page at a time (see eachRoute). */
export function eachNeigh(family: NeighFamily, index?: number): Iterable<NeighInfo> {
  checkFamily(family);
  const link = index === undefined ? 0 : linkIndex(index, 'link index');
  return inPages(withContext(() => `listing ${family === 'inet' ? 'neighbours' : 'fdb entries'}`, () => netlinkNative().openNeighs(family, link)));
}

/**
 * Creates or replaces an ARP entry ('inet': ip -> mac) or an fdb entry ('bridge': mac -> remote
 * VTEP ip, as flannel's vxlan backend writes them with NTF_SELF).
 */
export function replaceNeigh(spec: NeighSpec): void {
  const raw = toRaw(spec, true);
  withContext(() => `replacing ${describe(raw)}`, () => netlinkNative().changeNeigh('replace', raw));
}

/** Deletes an ARP entry (by ip) or an fdb entry (by mac, and ip for a vxlan remote); ENOENT when absent. */
export function deleteNeigh(key: NeighKey): void {
  const raw = toRaw(key, false);
  withContext(() => `deleting ${describe(raw)}`, () => netlinkNative().changeNeigh('delete', raw));
}

function checkFamily(family: unknown): asserts family is NeighFamily {
  if (family !== 'inet' && family !== 'bridge') {
    throw new TypeError(`netlink: neighbour family must be 'inet' or 'bridge', got ${JSON.stringify(family)}`);
  }
}

export function toRaw(spec: NeighSpec | NeighKey, replacing: boolean): RawNeighSpec {
  checkFamily(spec.family);
  const index = linkIndex(spec.index, 'neighbour index');
  const ip = spec.ip === undefined ? '' : ipv4(spec.ip, 'neighbour ip');
  const lladdr = spec.mac === undefined ? '' : mac(spec.mac, 'neighbour mac');
  if (spec.family === 'inet' && ip === '') throw new TypeError('netlink: an inet neighbour needs an ip');
  if ((replacing || spec.family === 'bridge') && lladdr === '') {
    throw new TypeError(`netlink: ${replacing ? 'a neighbour to replace' : 'an fdb entry to delete'} needs a mac`);
  }
  const state = 'state' in spec && spec.state !== undefined ? uint(spec.state, 'neighbour state', 0xffff) : NUD_PERMANENT;
  const flags = spec.flags === undefined ? (spec.family === 'bridge' ? NTF_SELF : 0) : uint(spec.flags, 'neighbour flags', 255);
  return { family: spec.family, index, ip, mac: lladdr, state, flags };
}

/** "neighbour 10.244.3.0 lladdr 0a:... dev flannel.1" or "fdb entry 0a:... dst 192.0.2.12 dev flannel.1". */
export function describe(raw: RawNeighSpec): string {
  const dev = `dev ${nameOfLink(raw.index)}`;
  if (raw.family === 'inet') return `neighbour ${raw.ip}${raw.mac ? ` lladdr ${raw.mac}` : ''} ${dev}`;
  return `fdb entry ${raw.mac}${raw.ip ? ` dst ${raw.ip}` : ''} ${dev}`;
}
