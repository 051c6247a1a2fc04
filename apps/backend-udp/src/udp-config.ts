import { parseBackendConfig, quoteValue, type JsonObject, type UdpBackendConfig } from '@flannel-ts/config';

/** IPv4 (20) + UDP (8) headers take 28 bytes of the external MTU. */
export const UDP_OVERHEAD = 28;

export type UdpOptions = Pick<UdpBackendConfig, 'port' | 'offloads'>;

/** The config's `Backend` object as udp options (flannel's defaults); throws naming a bad key. */
export function udpOptions(backend: JsonObject): UdpOptions {
  const type = typeof backend['Type'] === 'string' ? backend['Type'] : 'udp';
  const parsed = parseBackendConfig({ backendType: type, backendRaw: backend });
  if (parsed.type !== 'udp') throw new Error(`Backend.Type is ${quoteValue(type)}: the udp backend serves "udp" only`);
  return { port: parsed.port, offloads: parsed.offloads };
}
