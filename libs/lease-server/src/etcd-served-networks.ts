import { EtcdSubnetManager, type EtcdLeaseRegistry } from '@flannel-ts/subnet';
import type { ServedNetwork, ServedNetworks } from './served-networks.js';

/**
 * Every network under the prefix of `root` (the unnamed one at the prefix itself, the named ones
 * at `<prefix>/<name>`), on its etcd connection.
 */
export function etcdServedNetworks(root: EtcdLeaseRegistry): ServedNetworks {
  const registry = root.networks();
  const served = new Map<string, ServedNetwork>([['', { manager: new EtcdSubnetManager(root), registry: root }]]);
  return {
    registry,
    network(name) {
      let network = served.get(name);
      if (!network) {
        const named = registry.managerFor(name);
        if (!(named instanceof EtcdSubnetManager)) throw new Error(`network ${name}: not an etcd lease store`);
        network = { manager: named, registry: named.registry };
        served.set(name, network);
      }
      return network;
    },
  };
}
