import { ConfigError, parseBackendConfig, type JsonObject } from '@flannel-ts/config';

/** IPv4 (20) + UDP (8) headers take 28 bytes of the external MTU. */
export const UDP_OVERHEAD = 28;

export interface UdpOptions {
  /** Where every peer listens and where we listen (leases carry no port). */
  readonly port: number;
  /** Our extension `Backend.Offloads` (default true): TUN/UDP offloads, or the plain batched path. */
  readonly offloads: boolean;
}

/** The config's `Backend` object as udp options (flannel's defaults); throws naming a bad key. */
export function udpOptions(backend: JsonObject): UdpOptions {
  const type = typeof backend['Type'] === 'string' ? backend['Type'] : 'udp';
  const parsed = parseBackendConfig({ backendType: type, backendRaw: backend });
  if (parsed.type !== 'udp') throw new Error(`Backend.Type is ${JSON.stringify(type)}: the udp backend serves "udp" only`);
  const offloads = fieldOf(backend, 'Offloads');
  if (offloads !== undefined && offloads !== null && typeof offloads !== 'boolean') {
    throw new ConfigError('Backend.Offloads', `must be true or false (got ${JSON.stringify(offloads)})`);
  }
  return { port: parsed.port, offloads: offloads ?? true };
}

/** Go's encoding/json matching: case-insensitive, the last matching key wins. */
function fieldOf(object: JsonObject, name: string): unknown {
  let found: unknown;
  for (const [key, value] of Object.entries(object)) if (key.toLowerCase() === name.toLowerCase()) found = value;
  return found;
}
