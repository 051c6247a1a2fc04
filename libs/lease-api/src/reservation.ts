import { formatIP4, formatIP4Net, tryParseIP4, type IP4, type IP4Net } from '@flannel-ts/ip';
import { goFields, goJson } from './go-json.js';
import { decodeSubnet } from './lease.js';

/** A subnet held for a host without TTL: `{"Subnet":"10.1.5.0/24","PublicIP":"10.0.0.9"}`. */
export interface ApiReservation {
  readonly subnet: IP4Net;
  readonly publicIp: IP4;
}

export function encodeReservation(r: ApiReservation): string {
  return `{"Subnet":${goJson(formatIP4Net(r.subnet))},"PublicIP":${goJson(formatIP4(r.publicIp))}}`;
}

export function encodeReservations(list: readonly ApiReservation[]): string {
  return `[${list.map(encodeReservation).join(',')}]`;
}

export function decodeReservation(value: unknown): ApiReservation {
  const fields = goFields(value, 'reservation');
  const subnet = decodeSubnet(fields.get('subnet'));
  const ipText = fields.get('publicip');
  const publicIp = typeof ipText === 'string' ? tryParseIP4(ipText) : undefined;
  if (publicIp === undefined) throw new Error(`bad PublicIP ${goJson(ipText ?? null)}`);
  return { subnet, publicIp };
}

export function decodeReservations(value: unknown): ApiReservation[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw new Error('reservations: not a list');
  return value.map(decodeReservation);
}
