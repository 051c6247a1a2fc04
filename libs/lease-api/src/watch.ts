import { goFields, goJson } from './go-json.js';
import { decodeLease, encodeLease, ZERO_ATTRS, type ApiLease } from './lease.js';

export const BAD_EVENT_TYPE = 'bad event type';
export const NON_STRING_CURSOR = 'watch returned non-string cursor';

/** One change: a lease added (or rewritten) or removed, or in a network watch a network added or removed. */
export interface ApiEvent {
  readonly type: 'added' | 'removed';
  readonly lease: ApiLease;
  /** The network a network-watch event is about; omitted from the JSON when empty. */
  readonly network?: string;
}

/**
 * A lease watch reply. A snapshot reply has `events` null and the full lease set in `snapshot`;
 * an events reply has `snapshot` null. `cursor` is the store revision the reply brings the reader to.
 */
export interface LeaseWatchResult {
  readonly events: readonly ApiEvent[] | null;
  readonly snapshot: readonly ApiLease[] | null;
  readonly cursor: string;
}

/** A network watch reply: network names in `snapshot`, or `events` naming networks added or removed. */
export interface NetworkWatchResult {
  readonly events: readonly ApiEvent[] | null;
  readonly snapshot: readonly string[] | null;
  readonly cursor: string;
}

/** The lease Go's zero value marshals to, which network events carry. */
export const ZERO_LEASE: ApiLease = { subnet: { ip: 0, prefixLen: 0 }, attrs: ZERO_ATTRS };

/** Whether a reply is a snapshot: the reader treats a reply without events as the full state. */
export function isSnapshot(result: { readonly events: readonly ApiEvent[] | null }): boolean {
  return !result.events || result.events.length === 0;
}

export function encodeEvent(event: ApiEvent): string {
  const network = event.network ? `,"network":${goJson(event.network)}` : '';
  return `{"type":${goJson(event.type)},"lease":${encodeLease(event.lease)}${network}}`;
}

export function encodeLeaseWatchResult(result: LeaseWatchResult): string {
  return (
    `{"events":${list(result.events, encodeEvent)},"snapshot":${list(result.snapshot, encodeLease)}` +
    `,"cursor":${goJson(result.cursor)}}`
  );
}

export function encodeNetworkWatchResult(result: NetworkWatchResult): string {
  const cursor = result.cursor === '' ? '' : `,"cursor":${goJson(result.cursor)}`;
  return `{"events":${list(result.events, encodeEvent)},"snapshot":${list(result.snapshot, goJson)}${cursor}}`;
}

function list<T>(items: readonly T[] | null, encode: (item: T) => string): string {
  return items === null ? 'null' : `[${items.map(encode).join(',')}]`;
}

export function decodeEvent(value: unknown): ApiEvent {
  const fields = goFields(value, 'event');
  const type = fields.get('type');
  if (type !== 'added' && type !== 'removed') throw new Error(BAD_EVENT_TYPE);
  const network = fields.get('network');
  if (network !== undefined && network !== null && typeof network !== 'string') {
    throw new Error(`bad event network ${goJson(network)}: not a string`);
  }
  const leaseValue = fields.get('lease');
  const lease = leaseValue === undefined || leaseValue === null ? ZERO_LEASE : decodeLease(leaseValue);
  return { type, lease, ...(typeof network === 'string' && network !== '' ? { network } : {}) };
}

export function decodeLeaseWatchResult(value: unknown): LeaseWatchResult {
  const fields = goFields(value, 'lease watch result');
  return {
    events: decodeList(fields.get('events'), 'events', decodeEvent),
    snapshot: decodeList(fields.get('snapshot'), 'snapshot', decodeLease),
    cursor: decodeCursor(fields.get('cursor')),
  };
}

export function decodeNetworkWatchResult(value: unknown): NetworkWatchResult {
  const fields = goFields(value, 'network watch result');
  return {
    events: decodeList(fields.get('events'), 'events', decodeEvent),
    snapshot: decodeList(fields.get('snapshot'), 'snapshot', (name) => {
      if (typeof name !== 'string') throw new Error(`bad network name ${goJson(name)}: not a string`);
      return name;
    }),
    cursor: decodeCursor(fields.get('cursor')),
  };
}

function decodeList<T>(value: unknown, what: string, decode: (item: unknown) => T): T[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) throw new Error(`bad ${what}: not a list`);
  return value.map(decode);
}

function decodeCursor(value: unknown): string {
  if (typeof value !== 'string') throw new Error(NON_STRING_CURSOR);
  return value;
}
