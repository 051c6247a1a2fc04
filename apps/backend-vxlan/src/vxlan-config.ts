import { parseBackendConfig, quoteValue, type JsonObject, type VxlanBackendConfig } from '@flannel-ts/config';

/** The config's `Backend` object as a vxlan config (defaults filled); throws naming a bad key. */
export function vxlanConfig(backend: JsonObject): VxlanBackendConfig {
  const type = typeof backend['Type'] === 'string' ? backend['Type'] : 'vxlan';
  const parsed = parseBackendConfig({ backendType: type, backendRaw: backend });
  if (parsed.type !== 'vxlan') throw new Error(`Backend.Type is ${quoteValue(type)}: the vxlan backend serves "vxlan" only`);
  return parsed;
}

/** Ethernet (14) + IPv4 (20) + UDP (8) + VXLAN (8) headers take 50 bytes of the underlay MTU. */
export const VXLAN_OVERHEAD = 50;
