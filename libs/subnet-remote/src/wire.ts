// The client's view of the REST wire format (temporary: to be replaced by libs/lease-api's codec).
import { formatIP4, formatIP4Net, parseIP4Net, type IP4Net } from '@flannel-ts/ip';
import { decodeLeaseAttrs, encodeLeaseAttrs, type LeaseAttrs } from '@flannel-ts/subnet';

export interface WireLease {
  readonly subnet: IP4Net;
  readonly attrs: LeaseAttrs;
  /** ms since the epoch; undefined for Go's zero time (a reservation). */
  readonly expiration: number | undefined;
}

export interface WireEvent {
  readonly type: 'added' | 'removed';
  readonly lease: WireLease;
}

export interface LeaseWatchResult {
  readonly events: WireEvent[];
  readonly snapshot: WireLease[];
  readonly cursor: string;
}

export interface NetworkWatchResult {
  readonly events: Array<{ type: 'added' | 'removed'; network: string }>;
  readonly snapshot: string[];
  readonly cursor: string | undefined;
}

export const networkPathPart = (name: string): string => (name === '' ? '_' : encodeURIComponent(name));
export const subnetPathPart = (subnet: IP4Net): string => `${formatIP4(subnet.ip)}-${subnet.prefixLen}`;

const ZERO_TIME = '0001-01-01T00:00:00Z';

export function encodeLease(l: WireLease): string {
  const expiration = l.expiration === undefined ? ZERO_TIME : new Date(l.expiration).toISOString();
  return `{"Subnet":${JSON.stringify(formatIP4Net(l.subnet))},"Attrs":${encodeLeaseAttrs(l.attrs)},"Expiration":${JSON.stringify(expiration)}}`;
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

export function decodeLease(value: unknown): WireLease {
  const o = object(value, 'lease');
  if (typeof o.Subnet !== 'string') throw new Error('lease has no Subnet string');
  let subnet: IP4Net;
  try {
    subnet = parseIP4Net(o.Subnet);
  } catch {
    throw new Error(`lease Subnet ${JSON.stringify(o.Subnet)} is not an IPv4 subnet`);
  }
  const attrs = decodeLeaseAttrs(JSON.stringify(o.Attrs ?? null));
  if (typeof o.Expiration !== 'string') throw new Error('lease has no Expiration string');
  const ms = Date.parse(o.Expiration);
  if (Number.isNaN(ms)) throw new Error(`lease Expiration ${JSON.stringify(o.Expiration)} is not a time`);
  return { subnet, attrs, expiration: ms <= Date.parse(ZERO_TIME) ? undefined : ms };
}

function decodeEvent(value: unknown): WireEvent {
  const o = object(value, 'event');
  if (o.type !== 'added' && o.type !== 'removed') throw new Error('bad event type');
  if (o.type === 'removed') {
    const l = object(o.lease, 'event lease');
    if (typeof l.Subnet !== 'string') throw new Error('event lease has no Subnet string');
    return { type: 'removed', lease: { subnet: parseIP4Net(l.Subnet), attrs: { publicIp: 0 }, expiration: undefined } };
  }
  return { type: 'added', lease: decodeLease(o.lease) };
}

export function decodeLeaseWatchResult(value: unknown): LeaseWatchResult {
  const o = object(value, 'watch result');
  if (typeof o.cursor !== 'string') throw new Error('watch returned non-string cursor');
  if (o.events !== null && o.events !== undefined && !Array.isArray(o.events)) throw new Error('watch events is not a list');
  if (o.snapshot !== null && o.snapshot !== undefined && !Array.isArray(o.snapshot)) throw new Error('watch snapshot is not a list');
  return {
    events: ((o.events as unknown[] | null) ?? []).map(decodeEvent),
    snapshot: ((o.snapshot as unknown[] | null) ?? []).map(decodeLease),
    cursor: o.cursor,
  };
}

export function decodeNetworkWatchResult(value: unknown): NetworkWatchResult {
  const o = object(value, 'network watch result');
  if (o.cursor !== undefined && typeof o.cursor !== 'string') throw new Error('watch returned non-string cursor');
  const events = ((o.events as unknown[] | null) ?? []).map((e) => {
    const ev = object(e, 'network event');
    if (ev.type !== 'added' && ev.type !== 'removed') throw new Error('bad event type');
    if (typeof ev.network !== 'string') throw new Error('network event has no network name');
    return { type: ev.type, network: ev.network } as const;
  });
  const snapshot = ((o.snapshot as unknown[] | null) ?? []).map((n) => {
    if (typeof n !== 'string') throw new Error('network snapshot holds a non-string name');
    return n;
  });
  return { events, snapshot, cursor: o.cursor as string | undefined };
}
