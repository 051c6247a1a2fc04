import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { ConfigError, parseBackendConfig, parseNetworkConfig, type NetworkConfig } from '@flannel-ts/config';
import { errorText, isRetryable } from '@flannel-ts/retry';
import type { SubnetManager } from '@flannel-ts/subnet';

/**
 * Reads `<prefix>/config` every second until it exists and is valid, its `Backend` section included.
 * A bad or missing config never ends the daemon: under systemd an exit would only restart it into the
 * same config, while waiting picks up the corrected one.
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
    let storeFailed = false;
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
      storeFailed = !(err instanceof ConfigError);
    }
    // A config that is missing or wrong is said once (repeated at debug level only, so a long wait
    // does not flood the log); etcd failing us (unreachable, TLS refused, wrong password) on every
    // try, naming the endpoint, as Go flanneld does: the daemon is cut off until someone acts.
    if (storeFailed || problem !== lastProblem) log.error(`Couldn't fetch network config: ${problem}`);
    else log.debug(`Couldn't fetch network config: ${problem}`);
    lastProblem = problem;
    await sleep(retryMs, undefined, { signal });
  }
}
