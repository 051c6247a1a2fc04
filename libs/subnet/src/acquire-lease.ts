import type { Logger } from 'pino';
import { formatIP4, formatIP4Net } from '@flannel-ts/ip';
import type { IP4Net } from '@flannel-ts/ip';
import {
  freeSubnets,
  isCompatible,
  isFree,
  leaseOfPublicIp,
  pickRandom,
  type AllocationRange,
} from './allocation.js';
import type { EtcdLeaseRegistry } from './etcd-registry.js';
import type { Lease, LeaseAttrs } from './lease.js';

/** Go flanneld's bound on create races before giving up (the caller retries the whole acquisition later). */
const RACE_RETRIES = 10;

export class OutOfSubnetsError extends Error {
  constructor(range: AllocationRange) {
    super(
      `out of subnets: every /${range.subnetLen} from ${formatIP4(range.subnetMin)} to ${formatIP4(range.subnetMax)} is leased`,
    );
  }
}

export interface AcquireOptions {
  readonly ttlSeconds: number;
  /** A subnet to prefer when free: the one in the existing subnet file, or the one just lost. */
  readonly preferredSubnet?: IP4Net;
  readonly log: Logger;
  readonly random?: () => number;
}

/**
 * Go flanneld v0.20's order: reuse the lease of our public IP, else the preferred subnet when free, else
 * a random free one; create only if absent, retrying lost races.
 */
export async function acquireLease(
  registry: EtcdLeaseRegistry,
  range: AllocationRange,
  attrs: LeaseAttrs,
  o: AcquireOptions,
): Promise<Lease> {
  const ip = formatIP4(attrs.publicIp);
  for (let attempt = 0; attempt < RACE_RETRIES; attempt++) {
    const { leases } = await registry.listLeases();
    const own = leaseOfPublicIp(leases, attrs.publicIp);
    if (own && isCompatible(range, own.subnet)) {
      const reused = await registry.replaceLease(own, attrs, o.ttlSeconds);
      if (reused) {
        o.log.info(`Found lease (ip: ${formatIP4Net(own.subnet)}) for current IP (${ip}), reusing`);
        return reused;
      }
      continue;
    }
    if (own) {
      o.log.warn(`Found lease (ip: ${formatIP4Net(own.subnet)}) for current IP (${ip}) but not compatible with current config, deleting`);
      await registry.deleteLease(own);
      continue;
    }
    const subnet = choosePreferred(range, leases, o) ?? pickFree(range, leases, o);
    const created = await registry.createLease(subnet, attrs, o.ttlSeconds);
    if (created) {
      o.log.info(`Allocated lease (ip: ${formatIP4Net(subnet)} ipv6: ::/0) to current node (${ip})`);
      return created;
    }
    o.log.info(`Subnet ${formatIP4Net(subnet)} was taken by another host first; retrying`);
  }
  throw new Error('Max retries reached trying to acquire a subnet');
}

function choosePreferred(range: AllocationRange, leases: readonly Lease[], o: AcquireOptions): IP4Net | undefined {
  const preferred = o.preferredSubnet;
  if (!preferred) return undefined;
  if (!isCompatible(range, preferred)) {
    o.log.info(`Found previously leased subnet (${formatIP4Net(preferred)}) but not compatible with the Etcd network config, ignoring`);
    return undefined;
  }
  if (!isFree(preferred, leases)) return undefined;
  o.log.info(`Found previously leased subnet (${formatIP4Net(preferred)}), reusing`);
  return preferred;
}

function pickFree(range: AllocationRange, leases: readonly Lease[], o: AcquireOptions): IP4Net {
  o.log.debug(`Picking subnet in range ${formatIP4(range.subnetMin)} ... ${formatIP4(range.subnetMax)}`);
  const subnet = pickRandom(freeSubnets(range, leases), o.random);
  if (!subnet) throw new OutOfSubnetsError(range);
  return subnet;
}
