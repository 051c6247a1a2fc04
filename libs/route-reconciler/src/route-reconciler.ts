import type { Logger } from 'pino';
import { formatIP4, formatIP4Net, subnetKey } from '@flannel-ts/ip';
import type { KernelRoute, RouteTable, WantedRoute } from './route-table.js';

export interface ReconcileResult {
  readonly added: number;
  readonly removed: number;
  readonly kept: number;
  readonly failed: number;
}

export interface RouteReconcilerOptions {
  readonly table: RouteTable;
  /** Whether a kernel route is one this backend manages (docs/compat.md, Backends). */
  readonly owns: (route: KernelRoute) => boolean;
  readonly log: Logger;
  /** Told about every route this reconciler removed (e.g. so its deletion event is not taken for someone else's). */
  readonly onRemoved?: (route: KernelRoute) => void;
}

const MAIN_TABLE = 254;

/**
 * Keeps one route per wanted destination in the kernel and removes owned routes nobody wants.
 * It only ever changes what differs: a route already present (ours from before a restart, or
 * one a Go flanneld left) is adopted as is, so restarts cause no route churn.
 */
export class RouteReconciler {
  private readonly wanted = new Map<string, WantedRoute>();
  /** Owned kernel routes by destination, as of the last full pass plus our changes since. */
  private readonly present = new Map<string, KernelRoute[]>();

  constructor(private readonly o: RouteReconcilerOptions) {}

  /** Replaces the whole wanted set. */
  setAll(routes: Iterable<WantedRoute>): void {
    this.wanted.clear();
    for (const r of routes) this.wanted.set(subnetKey(r.dst), r);
  }

  set(route: WantedRoute): void {
    this.wanted.set(subnetKey(route.dst), route);
  }

  delete(dst: WantedRoute['dst']): void {
    this.wanted.delete(subnetKey(dst));
  }

  get size(): number {
    return this.wanted.size;
  }

  /**
   * Brings the kernel in line with the wanted set, reading the whole table; failures are logged and
   * retried next time.
   */
  reconcile(): ReconcileResult {
    this.present.clear();
    for (const route of this.o.table.list()) {
      if (!this.o.owns(route)) continue;
      const key = subnetKey(route.dst);
      this.present.set(key, [...(this.present.get(key) ?? []), route]);
    }
    return this.settle(new Set([...this.present.keys(), ...this.wanted.keys()]));
  }

  /**
   * Reconciles only these destinations against the view of the last full pass plus our own changes
   * since: a peer event costs a few netlink calls instead of a dump of every route. Changes made by
   * others are caught by the next full pass.
   */
  reconcileOnly(dsts: Iterable<WantedRoute['dst']>): ReconcileResult {
    return this.settle(new Set([...dsts].map((d) => subnetKey(d))));
  }

  private settle(keys: Set<string>): ReconcileResult {
    const result = { added: 0, removed: 0, kept: 0, failed: 0 };
    for (const key of keys) {
      const want = this.wanted.get(key);
      let routes = this.present.get(key) ?? [];
      for (const route of routes) {
        if (want && matches(route, want)) {
          result.kept++;
          continue;
        }
        if (want && routes.length === 1) continue; // replaced in place below
        if (this.attempt(() => this.o.table.remove(route), `removing route ${describe(route)}`)) {
          result.removed++;
          this.o.onRemoved?.(route);
          routes = routes.filter((r) => r !== route);
        } else result.failed++;
      }
      if (want && !routes.some((r) => matches(r, want))) {
        if (this.attempt(() => this.o.table.replace(want), `adding route ${describe(want)}`)) {
          result.added++;
          routes = [{ dst: want.dst, gateway: want.gateway, oif: want.oif, table: routes[0]?.table ?? MAIN_TABLE }];
        } else result.failed++;
      }
      if (routes.length > 0) this.present.set(key, routes);
      else this.present.delete(key);
    }
    return result;
  }

  private attempt(action: () => void, what: string): boolean {
    try {
      action();
      this.o.log.debug(what);
      return true;
    } catch (err) {
      this.o.log.error(`${what}: ${(err as Error).message}`);
      return false;
    }
  }
}

function matches(route: KernelRoute, want: WantedRoute): boolean {
  return route.gateway === want.gateway && route.oif === want.oif;
}

function describe(r: KernelRoute | WantedRoute): string {
  const via = r.gateway === undefined ? '' : ` via ${formatIP4(r.gateway)}`;
  const dev = r.oif === undefined ? '' : ` dev #${r.oif}`;
  return `${formatIP4Net(r.dst)}${via}${dev}`;
}
