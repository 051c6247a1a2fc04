import type { Logger } from '@flannel-ts/log';
import { EtcdLeaseRegistry, LeaseWatcher } from '@flannel-ts/subnet';
import { createRouteTable, type RouteTableFactory } from './cloud-tables.js';
import { deleteAllRoutes } from './delete-all-routes.js';
import { ExitError } from '@flannel-ts/cli';
import { readNetworkConfig, waitForNetworkConfig } from './network-config.js';
import type { RouteManagerOptions } from './options.js';
import { RouteSync } from './route-sync.js';

export interface RouteManagerParts {
  readonly createTable: RouteTableFactory;
  /** Called once the manager runs, with its sync engine (tests and benchmarks read its stats). */
  readonly started?: (sync: RouteSync) => void;
  readonly firstRetryMs?: number;
}

/**
 * The route manager: every lease → a route in the cloud, reconciled at start and every sync
 * interval, lease changes applied in between. Resolves to the exit status (-delete-all-routes:
 * 1 when a route could not be deleted) once `signal` aborts; rejects on a bug or an ExitError.
 */
export async function runRouteManager(
  o: RouteManagerOptions,
  log: Logger,
  signal: AbortSignal,
  parts: RouteManagerParts = { createTable: createRouteTable },
): Promise<number> {
  log.info('starting fleet route manager...');
  const registry = await EtcdLeaseRegistry.connect({ ...o.etcd, prefix: o.etcdPrefix });
  try {
    const config = o.deleteAllRoutes ? await configOnce(registry) : await waitForNetworkConfig(registry, log, signal);
    const table = await parts.createTable({
      backend: o.backend,
      network: config.network,
      ...(o.awsRouteTableId ? { awsRouteTableId: o.awsRouteTableId } : {}),
      log: log.child({ component: 'cloud' }),
      signal,
    });
    log.info(`Managing the routes of ${table.description}`);
    if (o.deleteAllRoutes) return (await deleteAllRoutes(table, { log, signal, firstRetryMs: parts.firstRetryMs })) ? 0 : 1;

    // The manager's own queue: lease changes stop the watcher's and the sync's work alike on a bug.
    const inner = new AbortController();
    const onAbort = () => inner.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    let listed!: () => void;
    const firstListing = new Promise<void>((resolve) => (listed = resolve));
    const sync = new RouteSync({
      table,
      leases: () => watcher.leases().values(),
      scope: config,
      log,
      signal: inner.signal,
      ...(parts.firstRetryMs !== undefined ? { firstRetryMs: parts.firstRetryMs } : {}),
    });
    const watcher = new LeaseWatcher(registry, () => sync.changed(), log.child({ component: 'leases' }), 1_000, () => listed());
    parts.started?.(sync);
    const stopOnFailure = (error: unknown) => {
      if (inner.signal.aborted && signal.aborted) return;
      inner.abort(error);
      throw error;
    };
    try {
      await Promise.all([
        watcher.run(inner.signal).catch(stopOnFailure),
        Promise.race([firstListing, aborted(inner.signal)])
          .then(() => sync.run(o.syncIntervalMs))
          .catch(stopOnFailure),
      ]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    return 0;
  } finally {
    registry.close();
  }
}

async function configOnce(registry: EtcdLeaseRegistry) {
  const read = await readNetworkConfig(registry);
  if ('problem' in read) throw new ExitError(`Couldn't fetch network config: ${read.problem}`);
  return read;
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
