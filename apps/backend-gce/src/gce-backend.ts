import type { Backend, CreateBackend } from '@flannel-ts/backend-protocol';
import { OwnRouteKeeper, type KeeperState } from '@flannel-ts/cloud-routes';
import { COMPUTE_ENDPOINT_VARIABLE, computeEndpoint, connectInstance, ensureOwnRoute, ownRouteName, type GceInstance } from '@flannel-ts/gce';
import { formatIP4Net } from '@flannel-ts/ip';
import { gceOptions } from './gce-options.js';

/**
 * How long the lease's answer waits for the first check of the route. A slow API (each call may
 * take up to 20 s) must not make flanneld think the backend hangs and restart it: past this, the
 * lease is answered and the check goes on by itself.
 */
const FIRST_CHECK_WAIT_MS = 10_000;

/** The first check's result, or undefined when it is still running after FIRST_CHECK_WAIT_MS. */
async function firstCheck(check: Promise<KeeperState>): Promise<KeeperState | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), FIRST_CHECK_WAIT_MS);
  });
  try {
    return await Promise.race([check, waited]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * gce: the node's own GCE route, its lease → its instance, as Go flanneld makes it, then checked
 * every RouteCheckInterval and restored when someone deletes or changes it. Peers need nothing here
 * (the cloud routes their subnets); nothing is removed on exit.
 */
export const createGceBackend: CreateBackend = async (init, context) => {
  const { log, signal } = context;
  const { routeCheckIntervalSeconds } = gceOptions(init.config.backend);
  // A bad endpoint is an operator's typo: say so now rather than retry it forever.
  computeEndpoint(process.env[COMPUTE_ENDPOINT_VARIABLE]);

  let instance: GceInstance | undefined;
  // Metadata, clients and selfLinks once; a failure is retried by the keeper's next check.
  const connect = async (): Promise<GceInstance> => (instance ??= await connectInstance({ signal }));
  let keeper: OwnRouteKeeper | undefined;
  let subnet: string | undefined;

  const backend: Backend = {
    propose: async () => ({ mtu: init.iface.mtu }),
    leaseGranted: async (lease) => {
      const next = formatIP4Net(lease.subnet);
      if (keeper && next === subnet) return;
      // A new lease gets a keeper of its own; the old route stays, as with Go flanneld.
      keeper?.stop();
      subnet = next;
      const name = ownRouteName(next);
      keeper = new OwnRouteKeeper({
        what: `route ${name} (${next} → this instance)`,
        ensure: async () => ensureOwnRoute({ ...(await connect()), log }, next),
        periodMs: routeCheckIntervalSeconds * 1_000,
        // A refused check is retried sooner at first, but never later than the regular check.
        maxRetryMs: routeCheckIntervalSeconds * 1_000,
        log,
        context,
      });
      const state = await firstCheck(keeper.start());
      if (!state) log.info(`The first check of route ${name} is still running after ${FIRST_CHECK_WAIT_MS / 1_000} s; answering the lease meanwhile`);
      else if (state.inPlace) log.info(`Route ${name} in place: ${next} → ${instance?.instanceLink}`);
    },
    peersSnapshot: async () => {},
    peersChanged: async () => {},
    close: async () => {
      keeper?.stop();
      instance?.api.close();
    },
    status: () => {
      const s = keeper?.state;
      if (!s || !subnet) return { detail: 'no lease yet' };
      const counters = { routeInPlace: s.inPlace ? 1 : 0, checks: s.checks, repairs: s.repairs, failures: s.failures };
      const name = ownRouteName(subnet);
      return { counters, detail: s.inPlace ? `route ${name} in place` : `route ${name} not in place: ${s.lastError ?? 'not checked yet'}` };
    },
  };
  return backend;
};
