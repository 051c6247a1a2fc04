import type { Backend, CreateBackend } from '@flannel-ts/backend-protocol';
import { OwnRouteKeeper } from '@flannel-ts/cloud-routes';
import { COMPUTE_ENDPOINT_VARIABLE, computeEndpoint, connectInstance, ensureOwnRoute, ownRouteName, type GceInstance } from '@flannel-ts/gce';
import { formatIP4Net } from '@flannel-ts/ip';
import { gceOptions } from './gce-options.js';

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
        log,
        context,
      });
      const state = await keeper.start();
      if (state.inPlace) log.info(`Route ${name} in place: ${next} → ${instance?.instanceLink}`);
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
