import { formatIP4, formatIP4Net, overlaps, type IP4, type IP4Net } from '@flannel-ts/ip';
import { RetryableError } from '@flannel-ts/retry';
import { leaseOfSubnet } from './allocation.js';
import type { LeaseRegistry } from './lease-registry.js';
import { isReservation, type Lease } from './lease.js';

/** Bound on concurrent changes lost in one operation (as flannel v0.5). */
const TRIES = 10;

/** A reservation refused: one the network config does not allow, or (`taken`) of a subnet another host holds. */
export class ReservationRefusedError extends Error {
  override readonly name = 'ReservationRefusedError';
  constructor(
    message: string,
    readonly taken = false,
  ) {
    super(message);
  }
}

export interface Reservation {
  readonly subnet: IP4Net;
  readonly publicIp: IP4;
}

/** The leases without TTL. */
export async function listReservations(registry: Pick<LeaseRegistry, 'listLeases'>): Promise<Reservation[]> {
  const { leases } = await registry.listLeases();
  return leases.filter(isReservation).map((l) => ({ subnet: l.subnet, publicIp: l.attrs.publicIp }));
}

/**
 * Holds `subnet` for `publicIp` without TTL: a new key, or the lease that host already has there
 * made TTL-less. A subnet held by another host is refused.
 */
export async function addReservation(
  registry: LeaseRegistry,
  network: { readonly network: IP4Net; readonly subnetLen: number },
  r: Reservation,
): Promise<Lease> {
  if (r.subnet.prefixLen !== network.subnetLen) {
    throw new ReservationRefusedError('reservation subnet has mask incompatible with network config');
  }
  if (!overlaps(r.subnet, network.network)) throw new ReservationRefusedError('reservation subnet is outside of flannel network');
  for (let attempt = 0; attempt < TRIES; attempt++) {
    const existing = leaseOfSubnet((await registry.listLeases()).leases, r.subnet);
    if (existing && existing.attrs.publicIp !== r.publicIp) {
      throw new ReservationRefusedError(
        `subnet: lease already taken: ${formatIP4Net(r.subnet)} is held by ${formatIP4(existing.attrs.publicIp)}`,
        true,
      );
    }
    if (existing && isReservation(existing)) return existing;
    const reserved = await registry.reserve(r.subnet, existing?.attrs ?? { publicIp: r.publicIp }, existing);
    if (reserved) return reserved;
  }
  throw new RetryableError(`subnet: no more tries reserving ${formatIP4Net(r.subnet)}`);
}

/**
 * Gives the reservation of `subnet` a TTL again, so it expires unless its host renews it.
 * Resolves false when no key holds the subnet.
 */
export async function removeReservation(registry: LeaseRegistry, subnet: IP4Net, ttlSeconds: number): Promise<boolean> {
  for (let attempt = 0; attempt < TRIES; attempt++) {
    const existing = leaseOfSubnet((await registry.listLeases()).leases, subnet);
    if (!existing) return false;
    if (!isReservation(existing)) return true;
    if (await registry.unreserve(existing, ttlSeconds)) return true;
  }
  throw new RetryableError(`subnet: no more tries releasing the reservation of ${formatIP4Net(subnet)}`);
}
