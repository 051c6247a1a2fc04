import { containsIP4, ip4Net, overlaps, sameNet, sizeOf, type IP4, type IP4Net } from '@flannel-ts/ip';
import type { Lease } from './lease.js';

/** The part of the network config the allocator needs. */
export interface AllocationRange {
  readonly network: IP4Net;
  readonly subnetLen: number;
  readonly subnetMin: IP4;
  readonly subnetMax: IP4;
}

/** A subnet a config can hand out: inside [SubnetMin, SubnetMax] with exactly SubnetLen (Go flanneld's rule). */
export function isCompatible(range: AllocationRange, subnet: IP4Net): boolean {
  return (
    subnet.prefixLen === range.subnetLen &&
    subnet.ip >= range.subnetMin &&
    subnet.ip <= range.subnetMax &&
    containsIP4(range.network, subnet.ip)
  );
}

/** Free: overlapping none of `taken` (the leases' subnets, and any other key naming a subnet). */
export function isFree(subnet: IP4Net, taken: readonly IP4Net[]): boolean {
  return !taken.some((t) => overlaps(t, subnet));
}

/**
 * Up to `limit` free subnets from SubnetMin upwards, skipping any that overlap one taken. One sweep
 * over the taken ranges, sorted and merged: with thousands of leases, skipping a taken run costs one
 * step, not a comparison with every lease per candidate.
 */
export function freeSubnets(range: AllocationRange, taken: readonly IP4Net[], limit = 100): IP4Net[] {
  const step = sizeOf(range.subnetLen);
  const blocked = mergedRanges(taken);
  const free: IP4Net[] = [];
  let next = 0;
  for (let ip = range.subnetMin; ip <= range.subnetMax && free.length < limit; ) {
    while (next < blocked.length && blocked[next]!.end <= ip) next++;
    const block = blocked[next];
    if (block !== undefined && block.start < ip + step) {
      // The first candidate at or after the end of the taken range (candidates stay SubnetLen-aligned).
      ip += Math.ceil((block.end - ip) / step) * step;
      continue;
    }
    free.push(ip4Net(ip, range.subnetLen));
    ip += step;
  }
  return free;
}

/** The address ranges [start, end) the subnets cover, sorted and with overlapping ones merged. */
function mergedRanges(nets: readonly IP4Net[]): { start: number; end: number }[] {
  const ranges = nets.map((n) => ({ start: n.ip, end: n.ip + sizeOf(n.prefixLen) })).sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const r of ranges) {
    const last = merged.at(-1);
    if (last !== undefined && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else merged.push({ ...r });
  }
  return merged;
}

/** The first lease advertising this public IP (Go flanneld's "reuse by PublicIP"). */
export function leaseOfPublicIp(leases: readonly Lease[], publicIp: IP4): Lease | undefined {
  return leases.find((l) => l.attrs.publicIp === publicIp);
}

export function leaseOfSubnet(leases: readonly Lease[], subnet: IP4Net): Lease | undefined {
  return leases.find((l) => sameNet(l.subnet, subnet));
}

export function pickRandom<T>(items: readonly T[], random: () => number = Math.random): T | undefined {
  if (items.length === 0) return undefined;
  return items[Math.floor(random() * items.length)];
}
