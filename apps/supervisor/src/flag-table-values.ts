// Parsers for the flanneld flags whose values need more than a plain string, int or bool.
// Each throws an Error whose message completes "invalid value "x" for flag -name: ...".
import { parseGoDurationMs, parseGoInt, formatDurationMs } from '@flannel-ts/go-flags';
import { tryParseIP4 } from '@flannel-ts/ip';

const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60 * MS_PER_SECOND;

export const MIN_LEASE_TTL_MS = 10 * MS_PER_SECOND;

export type IpMasqBackend = 'auto' | 'iptables' | 'nftables';
const IP_MASQ_BACKENDS: readonly IpMasqBackend[] = ['auto', 'iptables', 'nftables'];

/** A dotted-quad IPv4 address, or '' for "not given". */
export function parseOptionalIPv4(text: string): string {
  if (text === '' || tryParseIP4(text) !== undefined) return text;
  throw new Error('not an IPv4 address (want a dotted quad such as 192.0.2.11)');
}

export function parseIPv4(text: string): string {
  if (text === '') throw new Error('must not be empty');
  return parseOptionalIPv4(text);
}

/** Comma-separated, no trimming (as flannel splits it); an empty element is a mistake. */
export function parseCommaList(text: string): string[] {
  const items = text.split(',');
  if (items.some((item) => item === '')) throw new Error('empty element in comma-separated list');
  return items;
}

/** Like parseCommaList, but '' means an empty list. */
export function parseOptionalCommaList(text: string): string[] {
  return text === '' ? [] : parseCommaList(text);
}

export function parseRegexSource(text: string): string {
  try {
    new RegExp(text);
  } catch (error) {
    throw new Error(`not a valid regular expression: ${(error as Error).message}`, { cause: error });
  }
  return text;
}

/** A whole number in `unitMs` units (Go int syntax, Go flanneld's form) or a Go duration; returns milliseconds. */
function parseCountOrDuration(text: string, unitMs: number, unitName: string, example: string): number {
  try {
    return parseGoInt(text) * unitMs;
  } catch {
    try {
      return parseGoDurationMs(text);
    } catch {
      throw new Error(`want a number of ${unitName} or a duration such as ${example}`);
    }
  }
}

/** --subnet-lease-renew-margin: minutes or a duration. The range is checked against the TTL later. */
export function parseMinutesOrDurationMs(text: string): number {
  return parseCountOrDuration(text, MS_PER_MINUTE, 'minutes', '45m or 1h30m');
}

/** --iptables-resync: seconds or a duration, above zero. */
export function parseResyncPeriodMs(text: string): number {
  const ms = parseCountOrDuration(text, MS_PER_SECOND, 'seconds', '30s or 1m');
  if (ms <= 0) throw new Error('must be above zero');
  return ms;
}

/** A Go duration above zero (--backend-timeout). */
export function parsePositiveDurationMs(text: string): number {
  const ms = parseGoDurationMs(text);
  if (!(ms > 0)) throw new Error('must be above zero');
  return ms;
}

/** --subnet-lease-ttl: a duration of whole seconds (etcd lease TTLs are seconds), at least 10s. */
export function parseLeaseTtlMs(text: string): number {
  const ms = parseGoDurationMs(text);
  if (ms < MIN_LEASE_TTL_MS) throw new Error(`must be at least ${formatDurationMs(MIN_LEASE_TTL_MS)}`);
  if (ms % MS_PER_SECOND !== 0) throw new Error('must be a whole number of seconds');
  return ms;
}

export function parseIpMasqBackend(text: string): IpMasqBackend {
  const backend = IP_MASQ_BACKENDS.find((name) => name === text);
  if (backend === undefined) throw new Error(`want one of ${IP_MASQ_BACKENDS.join(', ')}`);
  return backend;
}

/** A TCP port, 0 meaning "off". */
export function parsePort(text: string): number {
  const port = parseGoInt(text);
  if (port < 0 || port > 65535) throw new Error('want a port number from 0 to 65535');
  return port;
}
