import { formatIP4, formatIP4Net, parseIP4Net, subnetKey } from '@flannel-ts/ip';
import type { Backend, CreateBackend, Lease, PeerEvent } from '@flannel-ts/backend-protocol';
import {
  addResults,
  addsOffThread,
  chunksOf,
  KernelLedger,
  netlinkRouteTable,
  NOTHING_DONE,
  passLine,
  ReconcileLoop,
  routeEntries,
  settleSideBySide,
  type ReconcileResult,
  type WantedRoute,
} from '@flannel-ts/route-reconciler';
import { subscribe } from '@flannel-ts/netlink';
import { releaseMemorySoon } from '@flannel-ts/sys';
import { hostGwOwnership } from './ownership.js';
import { SegmentCheck } from './segment-check.js';

const RECONCILE_PERIOD_MS = 10_000;

/**
 * host-gw: one route `<peer subnet> via <peer PublicIP> dev <external interface>` per host-gw
 * peer. Requires every host on one L2 segment; a peer that is not gets one error log and no route.
 */
export const createHostGwBackend: CreateBackend = async (init, context) => {
  const { log } = context;
  const { iface, config } = init;
  if (iface.extAddr !== iface.ifaceAddr) {
    throw new Error(
      "your PublicIP differs from interface IP, meaning that probably you're on a NAT, which is not supported by host-gw backend",
    );
  }
  const peers = new Map<string, Lease>();
  const ignored = new Set<string>();
  const segment = new SegmentCheck(iface.index, iface.name, log);
  let own: Lease | undefined;
  // Until the first snapshot, "no peers" means "not told yet": reconciling then would delete every
  // route a restart is meant to keep.
  let peersKnown = false;
  // Routes we removed ourselves: their deletion events are no reason for another pass.
  const removedByUs = new Set<string>();

  const table = routeEntries(netlinkRouteTable(), (route) => own !== undefined && hostGwOwnership(config, own.subnet, iface.index)(route));
  const ledger = new KernelLedger(() => context.reportStatus());
  const routes = ledger.reconciler('route', { table, log, onRemoved: (route) => removedByUs.add(subnetKey(route.dst)) });
  const wantedRoute = (peer: Lease): WantedRoute | undefined =>
    segment.reachable(peer) ? { dst: peer.subnet, gateway: peer.publicIp, oif: iface.index } : undefined;
  /** The wanted routes a full pass is gathering in steps: peer changes meanwhile go into it too. */
  let gathering: Map<string, WantedRoute> | undefined;
  const unwant = (key: string) => {
    routes.delete(key);
    gathering?.delete(key);
  };
  const want = (peer: Lease) => {
    const route = wantedRoute(peer);
    if (!route) return unwant(subnetKey(peer.subnet));
    routes.set(route);
    gathering?.set(subnetKey(peer.subnet), route);
  };
  const fullPass = (reason: string) => {
    if (!own || !peersKnown) return;
    const started = process.hrtime.bigint();
    segment.beginPass();
    const wanted = new Map<string, WantedRoute>();
    gathering = wanted;
    // Thousands of peers each with its own PublicIP mean thousands of route lookups (~0.1 s), and
    // thousands of routes are checked: both in steps, the table dump one of them, so peer changes go
    // in between.
    const ask = chunksOf([...peers.keys()]).map((keys) => () => {
      for (const key of keys) {
        const peer = peers.get(key);
        const route = peer && wantedRoute(peer);
        if (route) wanted.set(key, route);
      }
    });
    return [
      ...ask,
      () => {
        gathering = undefined;
        routes.setAll(wanted.values());
        const keys = routes.relist();
        // As vxlan's: a pass that changed something, and the first with the peers, say so at info.
        const report = (r: ReconcileResult) => {
          log[r.added || r.removed || reason === 'snapshot' ? 'info' : 'debug'](passLine('host-gw', peers.size, started, reason, { routes: r }));
        };
        if (addsOffThread(routes)) {
          return [async () => {
            const results = await settleSideBySide(chunksOf(keys).map((run) => [{ reconciler: routes, keys: run }]));
            report(results.flat().reduce(addResults, NOTHING_DONE));
          }];
        }
        let total = NOTHING_DONE;
        return [
          ...chunksOf(keys).map((run) => () => {
            total = addResults(total, routes.reconcileOnly(run));
          }),
          () => report(total),
        ];
      },
    ];
  };
  const loop = new ReconcileLoop<'lease' | 'snapshot' | 'peer change'>({
    pass: fullPass,
    periodMs: RECONCILE_PERIOD_MS,
    context,
    log,
    what: 'host-gw routes',
    onPass: ledger.passStarted,
    // A pass over thousands of entries leaves megabytes of garbage V8 would otherwise keep.
    afterFullPass: () => releaseMemorySoon(),
  });
  // Someone deleting one of our routes is repaired at once, not only at the next period.
  // Only deletions: the thousands of routes a pass adds would each wake the listener for nothing.
  const events = subscribe(
    ['route'],
    (ev) => {
      if (ev.kind === 'overflow') loop.trigger();
      if (ev.kind !== 'route' || ev.action !== 'del') return;
      if (!removedByUs.delete(subnetKey(parseIP4Net(ev.route.dst)))) loop.trigger();
    },
    { deletionsOnly: true },
  );
  events.unref();

  /** Applies one peer event to `peers`; returns the key of the subnet whose route may change. */
  const apply = (ev: PeerEvent): string => {
    const key = subnetKey(ev.lease.subnet);
    if (ev.type === 'removed') {
      peers.delete(key);
      segment.forget(ev.lease);
    } else if (ev.lease.backendType !== 'host-gw') {
      peers.delete(key);
      if (!ignored.has(key)) log.info(`Ignoring non-host-gw subnet: type=${ev.lease.backendType ?? ''} (${formatIP4Net(ev.lease.subnet)})`);
      ignored.add(key);
    } else {
      ignored.delete(key);
      peers.set(key, ev.lease);
    }
    return key;
  };

  const backend: Backend = {
    propose: async () => ({ backendType: 'host-gw', mtu: iface.mtu }),
    leaseGranted: async (lease) => {
      own = lease;
      log.info(`Lease ${formatIP4Net(lease.subnet)} via ${formatIP4(lease.publicIp)} on ${iface.name}`);
      loop.start();
      await loop.runNow('lease');
    },
    peersSnapshot: async (snapshot) => {
      peersKnown = true;
      peers.clear();
      snapshot.forEach((lease) => apply({ type: 'added', lease }));
      await loop.runNow('snapshot');
    },
    peersChanged: async (events) => {
      const changed = events.map(apply);
      if (!own || !peersKnown) return;
      await loop.runNow('peer change', () => {
        if (gathering) log.debug(`${changed.length} peer changes went into the full pass being gathered`);
        segment.beginPass();
        for (const key of changed) {
          const peer = peers.get(key);
          if (peer) want(peer);
          else unwant(key);
        }
        routes.reconcileOnly(changed);
      });
    },
    close: async () => {
      loop.stop();
      events.close();
    },
    removeState: async () => {
      if (!own) return;
      routes.setAll([]);
      const { removed } = routes.reconcile();
      log.info(`Removed ${removed} host-gw routes`);
    },
    status: () => ({
      counters: { peers: peers.size, routes: routes.size },
      detail: `${routes.size} routes`,
      metrics: { schema: 1, samples: ledger.samples() },
      kernel: ledger.report(),
    }),
  };
  return backend;
};
