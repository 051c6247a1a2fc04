import type { Logger } from '@flannel-ts/log';
import { formatIP4Net, subnetKey, type IP4, type IP4Net } from '@flannel-ts/ip';
import type { Lease, PeerEvent } from '@flannel-ts/backend-protocol';
import { isUnicastMac, normaliseMac } from './mac.js';

/** A vxlan peer: its subnet, its underlay address and its VTEP MAC. */
export interface VxlanPeer {
  readonly subnet: IP4Net;
  readonly publicIp: IP4;
  readonly vtepMac: string;
}

/**
 * The vxlan peers the supervisor told us about. Leases of another backend type, or whose
 * BackendData carries no usable VtepMAC, are left out with one log line each (until they change).
 */
export class PeerSet {
  private readonly peers = new Map<string, VxlanPeer>();
  /** How many peers use each VtepMAC (normally one): an fdb entry stays while any does. */
  private readonly macUsers = new Map<string, number>();
  /** Why a subnet is ignored, so the same reason is logged once. */
  private readonly ignored = new Map<string, string>();

  constructor(private readonly log: Logger) {}

  get size(): number {
    return this.peers.size;
  }

  values(): IterableIterator<VxlanPeer> {
    return this.peers.values();
  }

  /** The peer of a subnet (by `subnetKey`). */
  get(key: string): VxlanPeer | undefined {
    return this.peers.get(key);
  }

  usesMac(mac: string): boolean {
    return this.macUsers.has(mac);
  }

  replaceAll(snapshot: readonly Lease[]): void {
    this.peers.clear();
    this.macUsers.clear();
    const seen = new Set(snapshot.map((lease) => subnetKey(lease.subnet)));
    for (const key of this.ignored.keys()) if (!seen.has(key)) this.ignored.delete(key);
    snapshot.forEach((lease) => this.apply({ type: 'added', lease }));
  }

  apply(ev: PeerEvent): void {
    const key = subnetKey(ev.lease.subnet);
    this.remove(key);
    if (ev.type === 'removed') {
      this.ignored.delete(key);
      return;
    }
    const peer = toPeer(ev.lease);
    if (typeof peer === 'string') {
      if (this.ignored.get(key) !== peer) this.log.info(peer);
      this.ignored.set(key, peer);
      return;
    }
    this.ignored.delete(key);
    this.peers.set(key, peer);
    this.macUsers.set(peer.vtepMac, (this.macUsers.get(peer.vtepMac) ?? 0) + 1);
  }

  private remove(key: string): void {
    const peer = this.peers.get(key);
    if (!peer) return;
    this.peers.delete(key);
    const users = (this.macUsers.get(peer.vtepMac) ?? 1) - 1;
    if (users > 0) this.macUsers.set(peer.vtepMac, users);
    else this.macUsers.delete(peer.vtepMac);
  }
}

/** The peer, or why the lease is ignored. */
function toPeer(lease: Lease): VxlanPeer | string {
  if (lease.backendType !== 'vxlan') return `Ignoring non-vxlan subnet: type=${lease.backendType ?? ''} (${formatIP4Net(lease.subnet)})`;
  const raw = lease.backendData?.['VtepMAC'];
  const mac = normaliseMac(raw);
  if (mac === undefined || !isUnicastMac(mac)) {
    const problem = raw === undefined ? 'BackendData has no VtepMAC' : `BackendData.VtepMAC ${JSON.stringify(raw)} is not a unicast MAC address`;
    return `Ignoring vxlan subnet ${formatIP4Net(lease.subnet)}: ${problem}`;
  }
  return { subnet: lease.subnet, publicIp: lease.publicIp, vtepMac: mac };
}
