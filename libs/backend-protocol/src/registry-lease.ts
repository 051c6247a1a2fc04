import type { IP4, IP4Net } from '@flannel-ts/ip';
import { formatIP4Net } from '@flannel-ts/ip';
import type { Lease } from './lease.js';
import { isJsonObject } from './message-fields.js';
import { ProtocolError } from './protocol-error.js';

/** The shape of a lease as the registry (libs/subnet) holds it: BackendData still raw JSON text. */
export interface RegistryLeaseLike {
  readonly subnet: IP4Net;
  readonly attrs: {
    readonly publicIp: IP4;
    readonly backendType?: string;
    readonly backendData?: string;
  };
}

/**
 * A registry lease as the protocol carries it. BackendData `null` or empty counts as absent; any
 * other non-object is refused with a ProtocolError naming the subnet (the lease was not written by
 * a flannel backend we know), so the caller can skip that one lease.
 */
export function protocolLease(lease: RegistryLeaseLike): Lease {
  const { publicIp, backendType, backendData } = lease.attrs;
  const data = backendData === undefined || backendData.trim() === '' ? null : parseBackendData(lease.subnet, backendData);
  return {
    subnet: lease.subnet,
    publicIp,
    ...(backendType === undefined || backendType === '' ? {} : { backendType }),
    ...(data === null ? {} : { backendData: data }),
  };
}

function parseBackendData(subnet: IP4Net, text: string) {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError(`lease ${formatIP4Net(subnet)}: BackendData is not JSON`, 'malformed');
  }
  if (value !== null && !isJsonObject(value)) {
    throw new ProtocolError(`lease ${formatIP4Net(subnet)}: BackendData is not a JSON object`, 'malformed');
  }
  return value;
}
