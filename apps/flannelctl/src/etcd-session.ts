import { ExitError } from '@flannel-ts/cli';
import { errorText, isRetryable } from '@flannel-ts/retry';
import { EtcdLeaseRegistry } from '@flannel-ts/subnet';
import type { FlannelctlOptions } from './parse-args.js';

/**
 * Runs `work` on a registry of the network's prefix and closes it. A failure of etcd is tried once on
 * every endpoint (a command is short: no waiting) and then becomes one line, exit status 1.
 */
export async function withRegistry<T>(options: FlannelctlOptions, work: (registry: EtcdLeaseRegistry) => Promise<T>): Promise<T> {
  let registry: EtcdLeaseRegistry;
  try {
    registry = await EtcdLeaseRegistry.connect({ ...options.etcd, prefix: options.prefix });
  } catch (err) {
    throw new ExitError(`connecting to etcd: ${errorText(err)}`, 1, { cause: err });
  }
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work(registry);
      } catch (err) {
        if (!isRetryable(err)) throw err;
        if (attempt >= options.etcd.endpoints.length) throw new ExitError(errorText(err), 1, { cause: err });
      }
    }
  } finally {
    registry.close();
  }
}
