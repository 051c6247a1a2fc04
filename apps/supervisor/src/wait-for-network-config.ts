import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { ConfigError, parseBackendConfig, parseNetworkConfig, type NetworkConfig } from '@flannel-ts/config';
import { errorText, isRetryable } from '@flannel-ts/retry';
import type { SubnetManager } from '@flannel-ts/subnet';

/**
 * Reads `<prefix>/config` until it exists and is valid, its `Backend` section included, logging why
 * every second as Go flanneld does. A bad or missing config never ends the daemon: under systemd an
 * exit would only restart it into the same config, while waiting picks up the corrected one.
 */
export async function waitForNetworkConfig(
  registry: Pick<SubnetManager, 'getConfig' | 'prefix'>,
  log: Logger,
  signal: AbortSignal,
  retryMs = 1_000,
  /** A further check of a valid config (multi-network mode: a VNI or port another network holds); the problem, or undefined. */
  accept: (config: NetworkConfig) => string | undefined = () => undefined,
): Promise<NetworkConfig> {
  let lastProblem = '';
  for (;;) {
    signal.throwIfAborted();
    let problem: string;
    try {
      const text = await registry.getConfig();
      if (text !== undefined) {
        const config = parseNetworkConfig(text);
        parseBackendConfig(config);
        const refused = accept(config);
        if (refused === undefined) return config;
        problem = refused;
      } else problem = `flannel config not found in etcd store (key ${registry.prefix}/config). Did you create your config using etcdv3 API?`;
    } catch (err) {
      if (!(err instanceof ConfigError) && !isRetryable(err)) throw err;
      problem = errorText(err);
    }
    // Repeat the same complaint at debug level only, so a long wait does not flood the log.
    if (problem !== lastProblem) log.error(`Couldn't fetch network config: ${problem}`);
    else log.debug(`Couldn't fetch network config: ${problem}`);
    lastProblem = problem;
    await sleep(retryMs, undefined, { signal });
  }
}
