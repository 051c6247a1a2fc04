import { etcdAccess } from '@flannel-ts/cli';
import type { Logger } from 'pino';
import { readSystemSnapshot, selectExternalInterface } from '@flannel-ts/iface';
import { readSubnetEnv } from '@flannel-ts/subnet-env';
import { connectSubnetManager } from './connect-subnet-manager.js';
import type { FlanneldOptions } from './options.js';
import type { DaemonHealth } from './daemon-health.js';
import { runNetwork } from './run-network.js';
import { daemonIdentity } from './daemon-identity.js';
import { startEarlyBackend } from './early-backend.js';
import { startTimeline } from './start-timeline.js';

/** One daemon, single-network mode: lease, env file, READY=1, then renew and watch until `signal`. */
export async function runSupervisor(o: FlanneldOptions, log: Logger, signal: AbortSignal, health?: DaemonHealth): Promise<void> {
  // A backend process takes as long to start as we do: fork the last run's type at once.
  const early = startEarlyBackend(daemonIdentity(o.etcdPrefix, o.subnetFile, o.stateDir).stateDir, o.verbosity, log.child({ component: 'backend' }));
  // Loading etcd3 dominates start-up: overlap it with reading the host and the old env file.
  const [manager, snapshot, previousEnv] = await Promise.all([
    connectSubnetManager(o, log, signal, health?.etcdObserver).then((m) => {
      startTimeline.mark('etcd client');
      return m;
    }),
    readSystemSnapshot(),
    readSubnetEnv(o.subnetFile).catch((err: Error) => {
      log.warn(`Ignoring unreadable subnet file: ${err.message}`);
      return undefined;
    }),
  ]);
  const network = health?.addNetwork('', o.subnetFile);
  try {
    const ext = selectExternalInterface(snapshot, o);
    ext.logLines.forEach((line) => log.info(line));
    await runNetwork({
      o,
      manager,
      ext,
      keyPrefix: o.etcdPrefix,
      envFile: o.subnetFile,
      previousEnv,
      notifyReady: true,
      ...(network ? { probe: network.probe } : {}),
      log,
      signal,
      ...(early ? { early } : {}),
    });
  } finally {
    network?.remove();
    manager.close();
  }
}

export function etcdOptions(o: FlanneldOptions) {
  return etcdAccess(o.etcdEndpoints, o);
}
