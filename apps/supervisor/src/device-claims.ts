import { parseBackendConfig, type NetworkConfig } from '@flannel-ts/config';

/**
 * Multi-network mode: which network holds each vxlan VNI (device `flannel.<VNI>`) and each udp port,
 * so that two networks never drive one device or socket. A network waits, with one line naming the
 * holder, until the holder is gone or its own config changes.
 */
export class DeviceClaims {
  private readonly holders = new Map<string, string>();

  /** Claims the device of `config` for `network`: undefined when done, else the problem. */
  claim(network: string, config: NetworkConfig): string | undefined {
    const device = deviceOf(config);
    if (device === undefined) return undefined;
    const holder = this.holders.get(device);
    if (holder !== undefined && holder !== network) return `${device} is already used by network "${holder}"`;
    this.holders.set(device, network);
    return undefined;
  }

  /** Gives up whatever `network` holds (its backend has stopped). */
  release(network: string): void {
    for (const [device, holder] of this.holders) if (holder === network) this.holders.delete(device);
  }
}

function deviceOf(config: NetworkConfig): string | undefined {
  const backend = parseBackendConfig(config);
  if (backend.type === 'vxlan') return `vxlan VNI ${backend.vni}`;
  if (backend.type === 'udp') return `udp port ${backend.port}`;
  return undefined;
}
