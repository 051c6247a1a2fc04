import { ip4Net, lastIP4, sizeOf, type IP4Net } from '@flannel-ts/ip';
import type { AllocationRange } from '@flannel-ts/subnet';

export interface FreeSubnets {
  /** Subnets the config can hand out. */
  readonly total: number;
  readonly free: number;
  /** The first `limit` free ones, from SubnetMin upwards. */
  readonly listed: IP4Net[];
}

/**
 * The subnets of [SubnetMin, SubnetMax] overlapping none of `taken` (flannel's rule for a free one).
 * Works per taken subnet, not per candidate, so a /8 of /24s (65536) with thousands of leases stays cheap.
 */
export function findFreeSubnets(range: AllocationRange, taken: readonly IP4Net[], limit: number): FreeSubnets {
  const step = sizeOf(range.subnetLen);
  const total = Math.floor((range.subnetMax - range.subnetMin) / step) + 1;
  const used = new Set<number>();
  for (const t of taken) {
    const first = Math.max(0, Math.floor((t.ip - range.subnetMin) / step));
    const last = Math.min(total - 1, Math.floor((lastIP4(t) - range.subnetMin) / step));
    for (let i = first; i <= last; i++) used.add(i);
  }
  const listed: IP4Net[] = [];
  for (let i = 0; i < total && listed.length < limit; i++) {
    if (!used.has(i)) listed.push(ip4Net(range.subnetMin + i * step, range.subnetLen));
  }
  return { total, free: total - used.size, listed };
}
