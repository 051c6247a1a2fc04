import { UnknownBackendError } from './errors.js';
import { JsonFields } from './json-fields.js';
import type { NetworkConfig } from './network-config.js';

/** Backend types flannel-ts knows, by their flannel registration names. */
export const BACKEND_TYPES = ['udp', 'vxlan', 'host-gw', 'aws-vpc', 'gce', 'alloc'] as const;
export type BackendType = (typeof BACKEND_TYPES)[number];

export function isBackendType(type: string): type is BackendType {
  return (BACKEND_TYPES as readonly string[]).includes(type);
}

export const UDP_DEFAULT_PORT = 8285;
export const VXLAN_DEFAULT_VNI = 1;
export const VXLAN_MAX_VNI = 0xffffff;
/** What the Linux kernel uses when a vxlan device is created with port 0 (not IANA's 4789). */
export const VXLAN_KERNEL_DEFAULT_PORT = 8472;
export const MIN_MTU = 68;
export const MAX_MTU = 65535;

export interface UdpBackendConfig {
  readonly type: 'udp';
  /** Where every peer listens and where we listen (leases carry no port). */
  readonly port: number;
  /** Our extension `Backend.Offloads` (default true): TUN/UDP offloads, or the plain batched path. */
  readonly offloads: boolean;
}

export interface VxlanBackendConfig {
  readonly type: 'vxlan';
  readonly vni: number;
  /** 0 lets the kernel choose (VXLAN_KERNEL_DEFAULT_PORT). */
  readonly port: number;
  readonly gbp: boolean;
  readonly learning: boolean;
  readonly directRouting: boolean;
  /** Our extension; undefined means external interface MTU − 50. */
  readonly mtu?: number;
}

export interface AwsVpcBackendConfig {
  readonly type: 'aws-vpc';
  /**
   * The route tables to keep the own route in: `RouteTableID`, a string or (as later flannel
   * versions accept) a list of strings. Empty means: detect the table.
   */
  readonly routeTableIds: readonly string[];
  /** Our extension `RouteCheckInterval` (seconds): how often the own route is checked and restored. */
  readonly routeCheckIntervalSeconds: number;
}

export interface GceBackendConfig {
  readonly type: 'gce';
  /** Our extension `RouteCheckInterval` (seconds): how often the own route is checked and restored. */
  readonly routeCheckIntervalSeconds: number;
}

/** Default of the cloud backends' `RouteCheckInterval`. */
export const ROUTE_CHECK_INTERVAL_DEFAULT_SECONDS = 60;

export type BackendConfig =
  | UdpBackendConfig
  | VxlanBackendConfig
  | { readonly type: 'host-gw' }
  | AwsVpcBackendConfig
  | GceBackendConfig
  | { readonly type: 'alloc' };

/**
 * Decodes the `Backend` section for its type, case-insensitively, filling flannel's defaults.
 * Throws UnknownBackendError for a type we do not know, ConfigError for a bad key. Every option rule
 * lives here: flanneld checks the section while it waits for a usable config, and the backend
 * binaries read their options through it, so both refuse exactly the same values.
 */
export function parseBackendConfig(cfg: Pick<NetworkConfig, 'backendType' | 'backendRaw'>): BackendConfig {
  const fields: JsonFields = new JsonFields(cfg.backendRaw ?? {}, 'Backend');
  const type = cfg.backendType.toLowerCase();
  switch (type) {
    case 'udp':
      return parseUdp(fields);
    case 'vxlan':
      return parseVxlan(fields);
    case 'aws-vpc':
      return parseAwsVpc(fields);
    case 'gce':
      return { type: 'gce', routeCheckIntervalSeconds: routeCheckInterval(fields) };
    case 'host-gw':
    case 'alloc':
      return { type };
    default:
      throw new UnknownBackendError(type, BACKEND_TYPES);
  }
}

function parseUdp(fields: JsonFields): UdpBackendConfig {
  return {
    type: 'udp',
    port: fields.int('Port', { min: 1, max: 65535 }) ?? UDP_DEFAULT_PORT,
    offloads: fields.bool('Offloads') ?? true,
  };
}

function parseVxlan(fields: JsonFields): VxlanBackendConfig {
  const mtu = fields.int('MTU', { min: MIN_MTU, max: MAX_MTU });
  return {
    type: 'vxlan',
    vni: fields.int('VNI', { min: 0, max: VXLAN_MAX_VNI }) ?? VXLAN_DEFAULT_VNI,
    port: fields.int('Port', { min: 0, max: 65535 }) ?? 0,
    gbp: fields.bool('GBP') ?? false,
    learning: fields.bool('Learning') ?? false,
    directRouting: fields.bool('DirectRouting') ?? false,
    ...(mtu === undefined ? {} : { mtu }),
  };
}

function parseAwsVpc(fields: JsonFields): AwsVpcBackendConfig {
  return { type: 'aws-vpc', routeTableIds: routeTableIds(fields), routeCheckIntervalSeconds: routeCheckInterval(fields) };
}

const ROUTE_TABLE_ID = /^rtb-[0-9a-z]+$/;

function routeTableIds(fields: JsonFields): string[] {
  const raw = fields.raw('RouteTableID');
  if (raw === undefined || raw === null || raw === '') return [];
  const ids = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : fields.failType('RouteTableID', 'a string or a list of strings', raw);
  for (const id of ids) {
    if (typeof id !== 'string' || !ROUTE_TABLE_ID.test(id)) {
      fields.fail('RouteTableID', `must name route tables as rtb-<id> (got ${JSON.stringify(id)})`);
    }
  }
  return [...new Set(ids as string[])];
}

function routeCheckInterval(fields: JsonFields): number {
  return fields.int('RouteCheckInterval', { min: 1, max: 86_400 }) ?? ROUTE_CHECK_INTERVAL_DEFAULT_SECONDS;
}
