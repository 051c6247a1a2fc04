import type { CloudRouteTable } from '@flannel-ts/cloud-routes';
import type { IP4Net } from '@flannel-ts/ip';
import type { Logger } from '@flannel-ts/log';
import { retrying } from '@flannel-ts/retry';
import { EtcdLeaseRegistry, LeaseWatcher } from '@flannel-ts/subnet';
import { createRouteTable, needsNetwork, type RouteTableFactory, type RouteTableOptions } from './cloud-tables.js';
import { boundedRetry, deleteAllRoutes, GaveUp } from './delete-all-routes.js';
import { ExitError } from '@flannel-ts/cli';
import { readNetworkConfig, waitForNetworkConfig } from './network-config.js';
import type { RouteManagerOptions } from './options.js';
import { RouteSync } from './route-sync.js';

const CLOUD_NAMES = { google: 'GCE', aws: 'EC2' } as const;

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
  if (o.deleteAllRoutes) return deleteAllMode(o, log, signal, parts);
  log.info('starting fleet route manager...');
  const registry = await EtcdLeaseRegistry.connect({ ...o.etcd, prefix: o.etcdPrefix });
  try {
    const config = await waitForNetworkConfig(registry, log, signal);
    const table = await retrying(() => parts.createTable(tableOptions(o, config.network, log, signal)), {
      failure: `Connecting to the ${CLOUD_NAMES[o.backend]} route table failed`,
      log,
      signal,
      firstDelayMs: parts.firstRetryMs ?? 1_000,
      maxDelayMs: 30_000,
    });
    log.info(`Managing the routes of ${table.description}`);

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

/**
 * -delete-all-routes, as the original: no "starting" line, and for GCE no etcd at all (its routes
 * are known by their names). An EC2 table's routes are the manager's by lying inside the network,
 * so -backend=aws reads the config once. Each cloud call is tried a few times, then given up.
 */
async function deleteAllMode(o: RouteManagerOptions, log: Logger, signal: AbortSignal, parts: RouteManagerParts): Promise<number> {
  const network = needsNetwork(o.backend) ? await networkOnce(o) : undefined;
  const tries = { log, signal, ...(parts.firstRetryMs !== undefined ? { firstRetryMs: parts.firstRetryMs } : {}) };
  let table: CloudRouteTable;
  try {
    table = await boundedRetry(`Connecting to the ${CLOUD_NAMES[o.backend]} route table`, () => parts.createTable(tableOptions(o, network, log, signal)), tries);
  } catch (error) {
    if (error instanceof GaveUp) throw new ExitError(`connecting to the ${CLOUD_NAMES[o.backend]} route table failed: ${error.message}`);
    throw error;
  }
  log.info(`Managing the routes of ${table.description}`);
  return (await deleteAllRoutes(table, tries)) ? 0 : 1;
}

async function networkOnce(o: RouteManagerOptions): Promise<IP4Net> {
  const registry = await EtcdLeaseRegistry.connect({ ...o.etcd, prefix: o.etcdPrefix });
  try {
    const read = await readNetworkConfig(registry);
    if ('problem' in read) throw new ExitError(`Couldn't fetch network config: ${read.problem}`);
    return read.network;
  } finally {
    registry.close();
  }
}

function tableOptions(o: RouteManagerOptions, network: IP4Net | undefined, log: Logger, signal: AbortSignal): RouteTableOptions {
  return {
    backend: o.backend,
    ...(network ? { network } : {}),
    ...(o.awsRouteTableId ? { awsRouteTableId: o.awsRouteTableId } : {}),
    log: log.child({ component: 'cloud' }),
    signal,
  };
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
