import { startEtcd, type EtcdServer } from '../etcd/etcd-server.js';
import type { Lab } from './lab.js';

/**
 * etcd inside the lab's switch namespace at http://192.0.2.1:2379, reachable from every host
 * namespace; the lab's destroy() disposes of it.
 */
export async function startLabEtcd(lab: Lab): Promise<EtcdServer> {
  const server = await startEtcd({ netns: lab.switchNs, host: lab.switchIp });
  lab.addCleanup(() => server.dispose());
  return server;
}
