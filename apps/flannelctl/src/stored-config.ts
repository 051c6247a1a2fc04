import { ExitError } from '@flannel-ts/cli';
import { parseNetworkConfig, type NetworkConfig } from '@flannel-ts/config';
import { configKey, type EtcdLeaseRegistry } from '@flannel-ts/subnet';

/** The network config as stored; a missing one ends the command (exit 1) naming the key. */
export async function storedConfigText(registry: EtcdLeaseRegistry, prefix: string): Promise<string> {
  const text = await registry.getConfig();
  if (text === undefined) throw new ExitError(`no network config in etcd (key ${configKey(prefix)})`);
  return text;
}

/** The stored network config, parsed; an invalid one ends the command with its first problem. */
export async function storedNetworkConfig(registry: EtcdLeaseRegistry, prefix: string): Promise<NetworkConfig> {
  const text = await storedConfigText(registry, prefix);
  try {
    return parseNetworkConfig(text);
  } catch (err) {
    throw new ExitError(`the stored network config (key ${configKey(prefix)}) is invalid: ${(err as Error).message}`, 1, { cause: err });
  }
}
