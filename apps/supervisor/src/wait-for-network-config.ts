import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { ConfigError, parseNetworkConfig, type NetworkConfig } from '@flannel-ts/config';
import { errorText, isRetryable } from '@flannel-ts/retry';
import type { LeaseRegistry } from '@flannel-ts/subnet';

/**
 * Reads `<prefix>/config` until it exists and is valid, logging why every second as the
 * original does. A bad or missing config never ends the daemon.
 */
export async function waitForNetworkConfig(
  registry: Pick<LeaseRegistry, 'getConfig' | 'prefix'>,
  log: Logger,
  signal: AbortSignal,
  retryMs = 1_000,
): Promise<NetworkConfig> {
  let lastProblem = '';
  for (;;) {
    signal.throwIfAborted();
    let problem: string;
    try {
      const text = await registry.getConfig();
      if (text !== undefined) return parseNetworkConfig(text);
      problem = `flannel config not found in etcd store (key ${registry.prefix}/config). Did you create your config using etcdv3 API?`;
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
