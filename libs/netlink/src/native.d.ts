// The raw addon built from native/*.cc. Private to this lib: callers use the facade in index.ts,
// which validates arguments and chooses every default. Strings "" and numbers 0 mean "none".
// Failures throw an Error with `code`, `errno`, `syscall: 'netlink'` (see errors.ts).
import type { AddrInfo, LinkInfo, NeighFamily, NeighInfo, NetlinkGroup, RouteInfo } from './types.js';

export interface RawRouteSpec {
  /** The prefix's address, host bits clear. */
  dst: string;
  dstLen: number;
  gateway: string;
  oif: number;
  table: number;
  protocol: number;
  scope: number;
  type: number;
  priority: number | null;
  onlink: boolean;
}

export interface RawVxlanSpec {
  name: string;
  vni: number;
  local: string;
  vtepIndex: number;
  port: number;
  learning: boolean;
  gbp: boolean;
  mac: string;
  mtu: number;
}

export interface RawNeighSpec {
  family: NeighFamily;
  index: number;
  ip: string;
  mac: string;
  state: number;
  flags: number;
}

/** As NetlinkEvent, but an error event carries the addon's bare error. */
export type RawEvent =
  | { kind: 'link'; action: 'new' | 'del'; link: LinkInfo }
  | { kind: 'addr'; action: 'new' | 'del'; addr: AddrInfo }
  | { kind: 'route'; action: 'new' | 'del'; route: RouteInfo }
  | { kind: 'neigh'; action: 'new' | 'del'; neigh: NeighInfo }
  | { kind: 'overflow' }
  | { kind: 'error'; error: Error };

/** A dump held by the addon, handed over a page at a time. */
export interface RawDump<T> {
  readonly __records?: T;
}

export interface RawSubscription {
  close(): void;
  ref(): void;
  unref(): void;
}

export interface NetlinkNative {
  listLinks(): LinkInfo[];
  /** By index, or by name when index is 0. Throws ENODEV when there is no such link. */
  getLink(index: number, name: string): LinkInfo;
  /** up: null keeps the state; mtu: 0 keeps the MTU. */
  setLink(index: number, up: boolean | null, mtu: number): void;
  deleteLink(index: number): void;
  createVxlan(spec: RawVxlanSpec): void;
  /** IPv4 addresses of every link. */
  listAddrs(): AddrInfo[];
  changeAddr(op: 'add' | 'delete', index: number, address: string, prefixLen: number): void;
  /** IPv4 routes of one table (0: every table), without cache clones, for nextPage. */
  openRoutes(table: number): RawDump<RouteInfo>;
  changeRoute(op: 'add' | 'replace' | 'delete', spec: RawRouteSpec): void;
  /** RTM_GETROUTE for one address, as `ip route get`. */
  lookupRoute(address: string): RouteInfo;
  /** The family's entries of one link (0: every link), for nextPage. */
  openNeighs(family: NeighFamily, index: number): RawDump<NeighInfo>;
  /** The dump's next at most `max` records; empty once every one was given. */
  nextPage<T>(dump: RawDump<T>, max: number): T[];
  changeNeigh(op: 'replace' | 'delete', spec: RawNeighSpec): void;
  /** A replace of each item in turn, on a libuv pool thread; an element per item: its failure, or undefined. */
  changeBatch(items: ({ route: RawRouteSpec } | { neigh: RawNeighSpec })[]): Promise<(Error | undefined)[]>;
  /** How many dumps were repeated because the kernel flagged them interrupted. */
  dumpRetries(): number;
  /** Starts the listener thread; batches of events arrive on the JS thread. */
  Subscription: new (groups: NetlinkGroup[], onEvents: (events: RawEvent[]) => void, deletionsOnly?: boolean) => RawSubscription;
}
