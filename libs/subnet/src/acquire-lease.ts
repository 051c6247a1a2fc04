import type { Logger } from 'pino';
import { formatIP4, formatIP4Net, sameNet } from '@flannel-ts/ip';
import type { IP4Net } from '@flannel-ts/ip';
import {
  freeSubnets,
  isCompatible,
  isFree,
  leaseOfPublicIp,
  pickRandom,
  type AllocationRange,
} from './allocation.js';
import type { LeaseListing, LeaseRegistry } from './lease-registry.js';
import type { Lease, LeaseAttrs } from './lease.js';
import { RetryableError } from '@flannel-ts/retry';

/** Bound on lost create races in one acquisition (as Go flanneld); the caller retries later. */
const RACE_RETRIES = 10;

export class OutOfSubnetsError extends RetryableError {
  override readonly name = 'OutOfSubnetsError';
  constructor(range: AllocationRange) {
    super(
      `out of subnets: every /${range.subnetLen} from ${formatIP4(range.subnetMin)} to ${formatIP4(range.subnetMax)} is leased`,
    );
  }
}

/**
 * The first steps of an acquisition, begun before the lease's attributes are known (while the
 * backend starts): the listing and an etcd TTL for the key. The acquisition that takes it uses both
 * or drops the TTL; `discard` drops it when no acquisition will.
 */
export interface AcquisitionHead {
  /** Hands the head to one acquisition; undefined when it was taken or discarded already. */
  take(): { listing: Promise<LeaseListing>; granted: Promise<string> } | undefined;
  discard(): void;
}

/** Lists the leases and grants a TTL now, for an acquisition that starts later. */
export function beginAcquisition(registry: LeaseRegistry, ttlSeconds: number): AcquisitionHead {
  const listing = registry.listLeases();
  const granted = registry.grantTtl(ttlSeconds);
  // Nobody may ever await them (a run that fails first): their failures are not unhandled.
  listing.catch(() => undefined);
  granted.catch(() => undefined);
  let open = true;
  return {
    take() {
      if (!open) return undefined;
      open = false;
      return { listing, granted };
    },
    discard() {
      if (!open) return;
      open = false;
      granted.then((id) => registry.dropTtl(id), () => undefined);
    },
  };
}

export interface AcquireOptions {
  readonly ttlSeconds: number;
  /** A subnet to prefer when free: the one in the existing subnet file, or the one just lost. */
  readonly preferredSubnet?: IP4Net;
  readonly log: Logger;
  readonly random?: () => number;
  /** Told every listing the acquisition reads; the last one is what the lease was chosen from. */
  readonly onListing?: (listing: LeaseListing) => void;
  /** Steps begun ahead (beginAcquisition): the first attempt uses its listing and TTL. */
  readonly head?: AcquisitionHead;
}

/**
 * Reuses the lease of our public IP, else takes the preferred subnet when free, else a random
 * free one; creates only if absent, retrying lost races. A key naming a subnet whose value
 * cannot be read still occupies that subnet, and a subnet lost in a race is not tried again in
 * the same acquisition: a squatted subnet is given up instead of asked for forever.
 */
export async function acquireLease(
  registry: LeaseRegistry,
  range: AllocationRange,
  attrs: LeaseAttrs,
  o: AcquireOptions,
): Promise<Lease> {
  const ip = formatIP4(attrs.publicIp);
  const lostRaces: IP4Net[] = [];
  const head = o.head?.take();
  /** The head's TTL, when no write will take it. */
  const dropGranted = (granted: string | undefined) => {
    if (granted !== undefined) registry.dropTtl(granted);
  };
  for (let attempt = 0; attempt < RACE_RETRIES; attempt++) {
    // The head's TTL goes to the first write of the first attempt, or is dropped.
    let granted: string | undefined;
    let listing: LeaseListing;
    if (attempt === 0 && head) {
      const [listed, ttl] = await Promise.allSettled([head.listing, head.granted]);
      // A failed grant leaves the TTL to the write, as without a head.
      if (ttl.status === 'fulfilled') granted = ttl.value;
      if (listed.status === 'rejected') {
        dropGranted(granted);
        throw listed.reason;
      }
      listing = listed.value;
    } else listing = await registry.listLeases();
    o.onListing?.(listing);
    const { leases } = listing;
    const own = leaseOfPublicIp(leases, attrs.publicIp);
    if (own && isCompatible(range, own.subnet)) {
      const reused = await registry.replaceLease(own, attrs, o.ttlSeconds, granted);
      if (reused) {
        o.log.info(`Found lease (ip: ${formatIP4Net(own.subnet)}) for current IP (${ip}), reusing`);
        return reused;
      }
      continue;
    }
    if (own) {
      dropGranted(granted);
      o.log.warn(`Found lease (ip: ${formatIP4Net(own.subnet)}) for current IP (${ip}) but not compatible with current config, deleting`);
      await registry.deleteLease(own);
      continue;
    }
    const taken = [...takenSubnets(listing), ...lostRaces];
    let subnet: IP4Net;
    try {
      subnet = choosePreferred(range, taken, o) ?? pickFree(range, taken, o);
    } catch (err) {
      dropGranted(granted);
      throw err;
    }
    const created = await registry.createLease(subnet, attrs, o.ttlSeconds, granted);
    if (created) {
      o.log.info(`Allocated lease (ip: ${formatIP4Net(subnet)} ipv6: ::/0) to current node (${ip})`);
      return created;
    }
    lostRaces.push(subnet);
    o.log.info(`Subnet ${formatIP4Net(subnet)} was taken by another host first; retrying`);
  }
  throw new RetryableError(`lost ${RACE_RETRIES} races for a free subnet in a row`);
}

/** Every subnet a key names: readable leases and keys whose value is not a lease alike. */
function takenSubnets({ leases, skipped }: LeaseListing): IP4Net[] {
  return [...leases.map((l) => l.subnet), ...skipped.flatMap((s) => (s.subnet ? [s.subnet] : []))];
}

function choosePreferred(range: AllocationRange, taken: readonly IP4Net[], o: AcquireOptions): IP4Net | undefined {
  const preferred = o.preferredSubnet;
  if (!preferred) return undefined;
  if (!isCompatible(range, preferred)) {
    o.log.info(`Found previously leased subnet (${formatIP4Net(preferred)}) but not compatible with the Etcd network config, ignoring`);
    return undefined;
  }
  if (!isFree(preferred, taken)) {
    if (taken.some((t) => sameNet(t, preferred))) o.log.info(`Previously leased subnet ${formatIP4Net(preferred)} is taken; picking another`);
    return undefined;
  }
  o.log.info(`Found previously leased subnet (${formatIP4Net(preferred)}), reusing`);
  return preferred;
}

function pickFree(range: AllocationRange, taken: readonly IP4Net[], o: AcquireOptions): IP4Net {
  o.log.debug(`Picking subnet in range ${formatIP4(range.subnetMin)} ... ${formatIP4(range.subnetMax)}`);
  const subnet = pickRandom(freeSubnets(range, taken), o.random);
  if (!subnet) throw new OutOfSubnetsError(range);
  return subnet;
}
