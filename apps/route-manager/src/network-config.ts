import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, parseNetworkConfig, type NetworkConfig } from '@flannel-ts/config';
import { errorText, isRetryable } from '@flannel-ts/retry';
import type { LeaseRegistry } from '@flannel-ts/subnet';

/** Why `<prefix>/config` cannot be used yet, or the config. Its Backend section is the nodes' business (alloc). */
export async function readNetworkConfig(
  registry: Pick<LeaseRegistry, 'getConfig' | 'prefix'>,
): Promise<NetworkConfig | { problem: string; storeFailed: boolean }> {
  try {
    const text = await registry.getConfig();
    if (text === undefined) return { problem: `flannel config not found in etcd store (key ${registry.prefix}/config)`, storeFailed: false };
    return parseNetworkConfig(text);
  } catch (err) {
    if (!(err instanceof ConfigError) && !isRetryable(err)) throw err;
    return { problem: errorText(err), storeFailed: !(err instanceof ConfigError) };
  }
}

/**
 * Reads the network config every `retryMs` until it exists and is valid, saying why once per distinct
 * reason, except that etcd failing us (unreachable, TLS refused, wrong password) is said on every try.
 */
export async function waitForNetworkConfig(
  registry: Pick<LeaseRegistry, 'getConfig' | 'prefix'>,
  log: { error(message: string): void },
  signal: AbortSignal,
  retryMs = 1_000,
): Promise<NetworkConfig> {
  let last = '';
  for (;;) {
    signal.throwIfAborted();
    const read = await readNetworkConfig(registry);
    if (!('problem' in read)) return read;
    if (read.storeFailed || read.problem !== last) log.error(`Couldn't fetch network config: ${read.problem}`);
    last = read.problem;
    await sleep(retryMs, undefined, { signal });
  }
}
