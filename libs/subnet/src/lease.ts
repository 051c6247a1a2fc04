import type { IP4, IP4Net } from '@flannel-ts/ip';

/** What a host advertises in its lease value. */
export interface LeaseAttrs {
  readonly publicIp: IP4;
  readonly backendType?: string;
  /** Raw JSON of BackendData, exactly as stored (e.g. `{"VNI":1,"VtepMAC":"…"}`). */
  readonly backendData?: string;
}

/** One key under `<prefix>/subnets/` as read from etcd. */
export interface Lease {
  readonly subnet: IP4Net;
  readonly attrs: LeaseAttrs;
  /** The etcd lease id holding the key, as a decimal string; "0" for a TTL-less reservation. */
  readonly etcdLeaseId: string;
  readonly modRevision: string;
  /** The exact stored value, so "unchanged" can be told from "renewed". */
  readonly value: string;
  /**
   * When the store says the lease expires (ms since the epoch), for stores that tell (a flanneld
   * server does; etcd's keepalive gives a TTL instead). The keeper's clock follows it.
   */
  readonly expiration?: number;
}

export function isReservation(lease: Lease): boolean {
  return lease.etcdLeaseId === '0';
}

/** A change of the lease set; `removed` carries the lease as it was last known. */
export interface LeaseEvent {
  readonly type: 'added' | 'removed';
  readonly lease: Lease;
}
