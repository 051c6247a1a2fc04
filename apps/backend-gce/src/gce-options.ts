import { parseBackendConfig, quoteValue, type JsonObject } from '@flannel-ts/config';

/** The config's `Backend` object as gce options; throws naming a bad key. */
export function gceOptions(backend: JsonObject): { routeCheckIntervalSeconds: number } {
  const type = typeof backend['Type'] === 'string' ? backend['Type'] : 'gce';
  const parsed = parseBackendConfig({ backendType: type, backendRaw: backend });
  if (parsed.type !== 'gce') throw new Error(`Backend.Type is ${quoteValue(type)}: the gce backend serves "gce" only`);
  return { routeCheckIntervalSeconds: parsed.routeCheckIntervalSeconds };
}
