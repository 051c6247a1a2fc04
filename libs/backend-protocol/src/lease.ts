import type { JsonObject } from '@flannel-ts/config';
import type { IP4, IP4Net } from '@flannel-ts/ip';

/** A subnet lease as the backend sees it: the own lease, or a peer's. */
export interface Lease {
  readonly subnet: IP4Net;
  /** The host's external address (the lease's PublicIP). */
  readonly publicIp: IP4;
  /** Absent for backends that write none (udp, alloc, the clouds). */
  readonly backendType?: string;
  /** The lease's BackendData, e.g. `{"VNI":1,"VtepMAC":"5a:1f:0c:2e:33:9b"}` for vxlan. */
  readonly backendData?: JsonObject;
}

/** One change of the peer set. `removed` carries the lease as it was last known. */
export interface PeerEvent {
  readonly type: 'added' | 'removed';
  readonly lease: Lease;
}
