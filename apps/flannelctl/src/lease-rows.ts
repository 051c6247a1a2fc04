import { formatDurationMs } from '@flannel-ts/go-flags';
import { formatIP4, formatIP4Net } from '@flannel-ts/ip';
import { isReservation, type Lease } from '@flannel-ts/subnet';

/** One lease as flannelctl shows it (the --json shape of `leases`). */
export interface LeaseRow {
  readonly subnet: string;
  readonly publicIp: string;
  readonly backendType: string | null;
  /** vxlan's BackendData.VtepMAC. */
  readonly vtepMac: string | null;
  /** BackendData decoded, null when absent or not JSON. */
  readonly backendData: unknown;
  /** Seconds until the lease expires; null for a reservation. */
  readonly ttlSeconds: number | null;
  /** A key without TTL: held until unreserved. */
  readonly reserved: boolean;
}

export const LEASE_COLUMNS = ['SUBNET', 'PUBLIC-IP', 'BACKEND', 'VTEP-MAC', 'TTL', 'RESERVED'];

/** Rows ordered by subnet address; `ttls` holds the seconds left of each etcd lease id. */
export function leaseRows(leases: readonly Lease[], ttls: ReadonlyMap<string, number>): LeaseRow[] {
  return [...leases]
    .sort((a, b) => a.subnet.ip - b.subnet.ip || a.subnet.prefixLen - b.subnet.prefixLen)
    .map((lease) => {
      const backendData = decode(lease.attrs.backendData);
      const mac = (backendData as { VtepMAC?: unknown } | null)?.VtepMAC;
      const reserved = isReservation(lease);
      return {
        subnet: formatIP4Net(lease.subnet),
        publicIp: formatIP4(lease.attrs.publicIp),
        backendType: lease.attrs.backendType || null,
        vtepMac: typeof mac === 'string' ? mac : null,
        backendData,
        ttlSeconds: reserved ? null : (ttls.get(lease.etcdLeaseId) ?? 0),
        reserved,
      };
    });
}

function decode(raw: string | undefined): unknown {
  if (raw === undefined) return null;
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' ? value : null;
  } catch {
    return null;
  }
}

export function leaseCells(row: LeaseRow): string[] {
  return [
    row.subnet,
    row.publicIp,
    row.backendType ?? '-',
    row.vtepMac ?? '-',
    row.ttlSeconds === null ? '-' : formatDurationMs(row.ttlSeconds * 1000),
    row.reserved ? 'yes' : 'no',
  ];
}
