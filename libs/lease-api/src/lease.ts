import { formatIP4, formatIP4Net, tryParseIP4, tryParseIP4Net, type IP4, type IP4Net } from '@flannel-ts/ip';
import { goFields, goJson } from './go-json.js';
import { formatGoTime, parseGoTime } from './go-time.js';

/** A lease's attributes on the wire: flannel v0.5's `LeaseAttrs` (no PublicIPv6). */
export interface ApiLeaseAttrs {
  readonly publicIp: IP4;
  readonly backendType?: string;
  /** Raw JSON of BackendData. */
  readonly backendData?: string;
}

/** A lease on the wire: subnet, attributes and when it expires (undefined: never, a reservation). */
export interface ApiLease {
  readonly subnet: IP4Net;
  readonly attrs: ApiLeaseAttrs;
  readonly expiration?: Date;
}

/** Go's zero LeaseAttrs, what a removed event carries. */
export const ZERO_ATTRS: ApiLeaseAttrs = { publicIp: 0 };

/** `{"PublicIP":…,"BackendType":…,"BackendData":…}`, the last two only when set. */
export function encodeLeaseAttrs(attrs: ApiLeaseAttrs): string {
  let json = `{"PublicIP":${goJson(formatIP4(attrs.publicIp))}`;
  if (attrs.backendType) json += `,"BackendType":${goJson(attrs.backendType)}`;
  if (attrs.backendData !== undefined) json += `,"BackendData":${compact(attrs.backendData)}`;
  return `${json}}`;
}

/** `{"Subnet":"10.1.15.0/24","Attrs":{…},"Expiration":"<RFC 3339>"}`. */
export function encodeLease(lease: ApiLease): string {
  return (
    `{"Subnet":${goJson(formatIP4Net(lease.subnet))},"Attrs":${encodeLeaseAttrs(lease.attrs)}` +
    `,"Expiration":${goJson(formatGoTime(lease.expiration))}}`
  );
}

function compact(raw: string): string {
  try {
    return goJson(JSON.parse(raw));
  } catch (err) {
    throw new Error(`BackendData is not valid JSON: ${raw}`, { cause: err });
  }
}

/**
 * Reads LeaseAttrs as Go's decoder does: field names in any case, unknown fields ignored, a missing
 * PublicIP or `null` attributes read as 0.0.0.0 (what a removed event carries).
 */
export function decodeLeaseAttrs(value: unknown): ApiLeaseAttrs {
  if (value === null) return ZERO_ATTRS;
  const fields = goFields(value, 'lease attributes');
  const ipText = fields.get('publicip');
  let publicIp = 0;
  if (ipText !== undefined) {
    const ip = typeof ipText === 'string' ? tryParseIP4(ipText) : undefined;
    if (ip === undefined) throw new Error(`bad PublicIP ${goJson(ipText)}`);
    publicIp = ip;
  }
  const backendType = fields.get('backendtype');
  if (backendType !== undefined && backendType !== null && typeof backendType !== 'string') {
    throw new Error(`bad BackendType ${goJson(backendType)}: not a string`);
  }
  const backendData = fields.get('backenddata');
  return {
    publicIp,
    ...(typeof backendType === 'string' && backendType !== '' ? { backendType } : {}),
    ...(backendData !== undefined && backendData !== null ? { backendData: JSON.stringify(backendData) } : {}),
  };
}

/** Reads a Lease: Subnet a CIDR, Attrs as decodeLeaseAttrs, Expiration RFC 3339 (absent: zero time). */
export function decodeLease(value: unknown): ApiLease {
  const fields = goFields(value, 'lease');
  const subnet = decodeSubnet(fields.get('subnet'));
  const attrs = decodeLeaseAttrs(fields.get('attrs') ?? null);
  const expirationText = fields.get('expiration');
  if (expirationText !== undefined && expirationText !== null && typeof expirationText !== 'string') {
    throw new Error(`bad Expiration ${goJson(expirationText)}: not a string`);
  }
  const expiration = typeof expirationText === 'string' ? parseGoTime(expirationText) : undefined;
  return { subnet, attrs, ...(expiration ? { expiration } : {}) };
}

/** A `Subnet` field: "10.1.15.0/24" (host bits cleared, as flannel's IP4Net reads it). */
export function decodeSubnet(value: unknown): IP4Net {
  const net = typeof value === 'string' ? tryParseIP4Net(value) : undefined;
  if (!net) throw new Error(`bad Subnet ${goJson(value ?? null)}`);
  return net;
}
