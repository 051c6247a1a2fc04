import { subnetKey, tryParseSubnetKey, type IP4Net } from '@flannel-ts/ip';

/** How the single, unnamed network is spelled in paths. */
export const UNNAMED_NETWORK = '_';

/** A network's path segment: `_` for the unnamed network "". */
export function networkSegment(network: string): string {
  return network === '' ? UNNAMED_NETWORK : encodeURIComponent(network);
}

/** A subnet's path segment, the etcd key form `10.1.15.0-24`. */
export function subnetSegment(subnet: IP4Net): string {
  return subnetKey(subnet);
}

/** Reads a `10.1.15.0-24` segment; undefined unless it is a subnet with its host bits clear. */
export function parseSubnetSegment(segment: string): IP4Net | undefined {
  const net = tryParseSubnetKey(segment);
  return net && subnetKey(net) === segment ? net : undefined;
}

const withCursor = (path: string, cursor: string | undefined) =>
  cursor === undefined ? path : `${path}?next=${encodeURIComponent(cursor)}`;

export const apiPaths = {
  networks: (cursor?: string) => withCursor('/v1/', cursor),
  config: (network: string) => `/v1/${networkSegment(network)}/config`,
  leases: (network: string, cursor?: string) => withCursor(`/v1/${networkSegment(network)}/leases`, cursor),
  lease: (network: string, subnet: IP4Net, cursor?: string) =>
    withCursor(`/v1/${networkSegment(network)}/leases/${subnetSegment(subnet)}`, cursor),
  reservations: (network: string) => `/v1/${networkSegment(network)}/reservations`,
  reservation: (network: string, subnet: IP4Net) => `/v1/${networkSegment(network)}/reservations/${subnetSegment(subnet)}`,
};

/** What a request path names; `subnet` is the raw segment, for the handler to judge. */
export type ApiRoute =
  | { readonly resource: 'networks' }
  | { readonly resource: 'config' | 'leases' | 'reservations'; readonly network: string }
  | { readonly resource: 'lease' | 'reservation'; readonly network: string; readonly subnet: string };

/** Matches a request path (without its query) against the API's routes; undefined when none fits. */
export function parseApiPath(pathname: string): ApiRoute | undefined {
  if (pathname === '/v1/') return { resource: 'networks' };
  const parts = pathname.split('/');
  if (parts[0] !== '' || parts[1] !== 'v1' || parts.length < 4 || parts.length > 5) return undefined;
  let network: string;
  let subnet: string | undefined;
  try {
    network = decodeURIComponent(parts[2]!);
    subnet = parts[4] === undefined ? undefined : decodeURIComponent(parts[4]);
  } catch {
    return undefined;
  }
  // A name with a slash would reach keys of another network's.
  if (network === '' || network.includes('/') || subnet === '') return undefined;
  if (network === UNNAMED_NETWORK) network = '';
  const kind = parts[3];
  if (subnet === undefined) {
    if (kind === 'config' || kind === 'leases' || kind === 'reservations') return { resource: kind, network };
    return undefined;
  }
  if (kind === 'leases') return { resource: 'lease', network, subnet };
  if (kind === 'reservations') return { resource: 'reservation', network, subnet };
  return undefined;
}
