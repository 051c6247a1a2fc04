import type { LeaseRegistry, NetworkRegistry, SubnetManager } from '@flannel-ts/subnet';

/** One network's lease store as the server uses it: the manager, and the registry below it. */
export interface ServedNetwork {
  readonly manager: SubnetManager;
  readonly registry: LeaseRegistry;
}

/** What the server serves: every network by name ('' = the unnamed one at the prefix itself). */
export interface ServedNetworks {
  network(name: string): ServedNetwork;
  /** The named networks under the prefix, for `GET /v1/`; undefined: that endpoint answers 404. */
  readonly registry?: NetworkRegistry;
}
