import { setTimeout as sleep } from 'node:timers/promises';
import type { CloudRoute, CloudRouteTable } from '@flannel-ts/cloud-routes';
import { isRetryable, retrying } from '@flannel-ts/retry';
import type { Lease } from '@flannel-ts/subnet';
import { inParallel } from './in-parallel.js';
import { planRoutes, type RoutePlan } from './route-plan.js';
import { wantedRoutes, type LeaseScope } from './wanted-routes.js';

type PassKind = 'reconciler' | 'monitor';

export interface RouteSyncOptions {
  readonly table: CloudRouteTable;
  /** The current leases (the lease watcher's view). */
  readonly leases: () => Iterable<Lease>;
  readonly scope: LeaseScope;
  readonly log: { info(message: string): void; warn(message: string): void; error(message: string): void };
  readonly signal: AbortSignal;
  /** Cloud operations in flight at once within a pass. */
  readonly concurrency?: number;
  /** Delay before retrying a failed pass; it doubles up to maxRetryMs. */
  readonly firstRetryMs?: number;
  readonly maxRetryMs?: number;
}

export interface RouteSyncStats {
  /** Full listings of the cloud's routes (reconciler passes, retries included). */
  lists: number;
  inserts: number;
  deletes: number;
  /** Passes that failed and were retried. */
  failedPasses: number;
}

/**
 * Mirrors the leases into a cloud route table, one pass at a time on one queue:
 * - a reconciler pass (at start, every sync interval, and to retry a failed pass) lists the routes
 *   the manager owns and fixes every difference;
 * - a monitor pass (after lease changes) compares the leases with the manager's own view of its
 *   routes (the last listing plus its own inserts and deletes), so a changed lease costs exactly
 *   its calls: added → insert, removed → delete, moved → delete + insert, and no listing.
 * Every cloud call is awaited. A pass that fails is retried with a doubling delay as a reconciler
 * pass, since after a failure (an operation that timed out may still have happened) only a fresh
 * listing is to be trusted. A bug (anything not retryable) rejects `run()`.
 */
export class RouteSync {
  /** The routes the manager owns, by name; undefined until the first listing. */
  private owned: Map<string, CloudRoute> | undefined;
  private tail: Promise<void> = Promise.resolve();
  /** The pass waiting its turn; lease changes and timer ticks join it instead of queueing more. */
  private queued: { kind: PassKind; done: Promise<void> } | undefined;
  private notes = new Set<string>();
  private readonly failure: Promise<never>;
  private fail!: (error: unknown) => void;
  readonly stats: RouteSyncStats = { lists: 0, inserts: 0, deletes: 0, failedPasses: 0 };

  constructor(private readonly o: RouteSyncOptions) {
    this.failure = new Promise<never>((_resolve, reject) => (this.fail = reject));
    this.failure.catch(() => undefined);
  }

  /** The leases changed: queue a monitor pass (a no-op until the first reconciler pass listed the routes). */
  changed(): void {
    this.schedule('monitor').catch((error: unknown) => {
      if (!this.o.signal.aborted) this.fail(error);
    });
  }

  /** A reconciler pass now, then one every `intervalMs`, until the signal aborts (rejects with its reason) or a bug. */
  async run(intervalMs: number): Promise<never> {
    const loop = async (): Promise<never> => {
      for (;;) {
        await this.schedule('reconciler');
        await sleep(intervalMs, undefined, { signal: this.o.signal });
      }
    };
    return Promise.race([loop(), this.failure]);
  }

  /** The routes the manager believes it owns (for tests and benchmarks). */
  ownedRoutes(): CloudRoute[] {
    return [...(this.owned?.values() ?? [])];
  }

  private schedule(kind: PassKind): Promise<void> {
    if (this.queued) {
      if (kind === 'reconciler') this.queued.kind = kind;
      return this.queued.done;
    }
    const entry = { kind } as { kind: PassKind; done: Promise<void> };
    entry.done = this.tail.then(() => {
      this.queued = undefined;
      return this.runPass(entry.kind);
    });
    this.tail = entry.done.catch(() => undefined);
    this.queued = entry;
    return entry.done;
  }

  private async runPass(kind: PassKind): Promise<void> {
    let attempt: PassKind = kind;
    await retrying(
      async () => {
        try {
          await this.pass(attempt);
        } catch (error) {
          if (isRetryable(error)) this.stats.failedPasses++;
          attempt = 'reconciler';
          throw error;
        }
      },
      {
        failure: `Syncing the routes of ${this.o.table.description} failed`,
        log: this.o.log,
        signal: this.o.signal,
        firstDelayMs: this.o.firstRetryMs ?? 1_000,
        maxDelayMs: this.o.maxRetryMs ?? 30_000,
      },
    );
  }

  private async pass(kind: PassKind): Promise<void> {
    if (kind === 'reconciler') {
      this.o.log.info('reconciler starting...');
      const listed = await this.o.table.list();
      this.stats.lists++;
      this.owned = new Map(listed.map((route) => [route.name, route]));
    }
    const owned = this.owned;
    if (!owned) return;
    const wanted = wantedRoutes(this.o.leases(), this.o.scope);
    this.note(wanted.notes);
    await this.apply(planRoutes(wanted.routes, owned.values()), owned, kind);
    if (kind === 'reconciler') this.o.log.info('reconciler done');
  }

  private async apply(plan: RoutePlan, owned: Map<string, CloudRoute>, kind: PassKind): Promise<void> {
    const { table, log, signal } = this.o;
    const limit = this.o.concurrency ?? 8;
    const isBug = (error: unknown) => !isRetryable(error);
    await inParallel(
      plan.deletes,
      limit,
      async (route) => {
        signal.throwIfAborted();
        await table.delete(route);
        this.stats.deletes++;
        owned.delete(route.name);
        log.info(`${kind}: deleted ${route.name}`);
      },
      isBug,
    );
    await inParallel(
      plan.inserts,
      limit,
      async ({ subnet, publicIp }) => {
        signal.throwIfAborted();
        const route = await table.insert(subnet, publicIp);
        this.stats.inserts++;
        owned.set(route.name, route);
        log.info(`${kind}: inserted ${route.name}`);
      },
      isBug,
    );
  }

  /** Logs each note once while it lasts. */
  private note(notes: readonly string[]): void {
    for (const note of notes) if (!this.notes.has(note)) this.o.log.warn(note);
    this.notes = new Set(notes);
  }
}
