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
  /** Whether a kernel route is one this backend manages (DESIGN: "Kernel state we own"). */
  readonly owns: (route: KernelRoute) => boolean;
  readonly log: Logger;
}

/**
 * Keeps one route per wanted destination in the kernel and removes owned routes nobody wants.
 * It only ever changes what differs: a route already present (ours from before a restart, or
 * one a Go flanneld left) is adopted as is, so restarts cause no route churn.
 */
export class RouteReconciler {
  private readonly wanted = new Map<string, WantedRoute>();

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

  /** Brings the kernel in line with the wanted set; failures are logged and retried next time. */
  reconcile(): ReconcileResult {
    const present = new Map<string, KernelRoute[]>();
    for (const route of this.o.table.list()) {
      if (!this.o.owns(route)) continue;
      const key = subnetKey(route.dst);
      present.set(key, [...(present.get(key) ?? []), route]);
    }
    let added = 0;
    let removed = 0;
    let kept = 0;
    let failed = 0;
    for (const [key, routes] of present) {
      const want = this.wanted.get(key);
      for (const route of routes) {
        if (want && matches(route, want)) {
          kept++;
          continue;
        }
        if (want && routes.length === 1) continue; // replaced in place below
        if (this.attempt(() => this.o.table.remove(route), `removing route ${describe(route)}`)) removed++;
        else failed++;
      }
    }
    for (const [key, want] of this.wanted) {
      if (present.get(key)?.some((r) => matches(r, want))) continue;
      if (this.attempt(() => this.o.table.replace(want), `adding route ${describe(want)}`)) added++;
      else failed++;
    }
    return { added, removed, kept, failed };
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
