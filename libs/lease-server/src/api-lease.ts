import { ZERO_ATTRS, type ApiEvent, type ApiLease } from '@flannel-ts/lease-api';
import { isReservation, type Lease, type LeaseEvent } from '@flannel-ts/subnet';

/** A stored lease on the wire; `expiresAt` (ms) is ignored for a reservation, which never expires. */
export function toApiLease(lease: Lease, expiresAt: number | undefined): ApiLease {
  const attrs = {
    publicIp: lease.attrs.publicIp,
    ...(lease.attrs.backendType ? { backendType: lease.attrs.backendType } : {}),
    ...(lease.attrs.backendData !== undefined ? { backendData: lease.attrs.backendData } : {}),
  };
  const expiration = isReservation(lease) || expiresAt === undefined ? undefined : new Date(expiresAt);
  return { subnet: lease.subnet, attrs, ...(expiration ? { expiration } : {}) };
}

/** A change on the wire. As flannel v0.5, a removed lease carries only its subnet. */
export function toApiEvent(event: LeaseEvent, expiresAt: number | undefined): ApiEvent {
  if (event.type === 'removed') return { type: 'removed', lease: { subnet: event.lease.subnet, attrs: ZERO_ATTRS } };
  return { type: 'added', lease: toApiLease(event.lease, expiresAt) };
}
