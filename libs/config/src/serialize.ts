import { formatIP4, formatIP4Net } from '@flannel-ts/ip';
import type { NetworkConfig } from './network-config.js';

/**
 * The defaulted config as flannel's server mode returns it from `GET /v1/<net>/config`:
 * Network, SubnetMin, SubnetMax, SubnetLen, Backend (omitted when absent). `Networks` is appended
 * only when non-empty (flannel v0.5 had no such field). parseNetworkConfig reads it back unchanged.
 */
export function serializeNetworkConfig(cfg: NetworkConfig): string {
  return JSON.stringify({
    Network: formatIP4Net(cfg.network),
    SubnetMin: formatIP4(cfg.subnetMin),
    SubnetMax: formatIP4(cfg.subnetMax),
    SubnetLen: cfg.subnetLen,
    ...(cfg.backendRaw === undefined ? {} : { Backend: cfg.backendRaw }),
    ...(cfg.networks.length === 0 ? {} : { Networks: cfg.networks.map(formatIP4Net) }),
  });
}
