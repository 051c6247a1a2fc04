import type { IP4, IP4Net } from '@flannel-ts/ip';
import type { KernelChange } from '@flannel-ts/netlink';

/** A route as the kernel reports it (IPv4, one table). */
export interface KernelRoute {
  readonly dst: IP4Net;
  readonly gateway?: IP4;
  readonly oif?: number;
  readonly table: number;
}

/** A route a backend wants: one per peer subnet. */
export interface WantedRoute {
  readonly dst: IP4Net;
  readonly gateway: IP4;
  readonly oif: number;
  readonly onlink?: boolean;
}

/** The seam to the kernel (libs/netlink in production). */
export interface RouteTable {
  /** The table's routes; iterated once per full pass. */
  list(): Iterable<KernelRoute>;
  /** Adds `route`, replacing a route to the same destination. */
  replace(route: WantedRoute): void;
  /** replace() as a change for a batch of several tables' changes (settleInOneBatch). */
  asChange?(route: WantedRoute): KernelChange;
  remove(route: KernelRoute): void;
}
