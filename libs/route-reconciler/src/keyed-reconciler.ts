import type { Logger } from 'pino';
import { replaceInOrder, type KernelChange } from '@flannel-ts/netlink';
import { errorText } from '@flannel-ts/retry';
import { isBug } from './error-kinds.js';

export interface ReconcileResult {
  readonly added: number;
  readonly removed: number;
  readonly kept: number;
  readonly failed: number;
}

/** Kernel entries settled per step of a large pass: a step takes a few ms, the most a peer change waits. */
export const ENTRIES_PER_STEP = 250;

/** `keys` in runs of `size`, for a pass in steps. */
export function chunksOf(keys: readonly string[], size = ENTRIES_PER_STEP): string[][] {
  const chunks: string[][] = [];
  for (let i = 0; i < keys.length; i += size) chunks.push(keys.slice(i, i + size));
  return chunks;
}

/** A pass that changed, kept and failed nothing: where sums of results start. */
export const NOTHING_DONE: ReconcileResult = Object.freeze({ added: 0, removed: 0, kept: 0, failed: 0 });

/** Adds up the results of a pass's steps. */
export function addResults(a: ReconcileResult, b: ReconcileResult): ReconcileResult {
  return { added: a.added + b.added, removed: a.removed + b.removed, kept: a.kept + b.kept, failed: a.failed + b.failed };
}

/** The adds of one beginAdds, to send; `settled` takes an element per change (its failure or undefined). */
export interface PendingAdds {
  readonly changes: readonly KernelChange[];
  settled(failures: readonly (Error | undefined)[]): ReconcileResult;
}

/** One reconciler's keys in a batch: see settleInOneBatch. */
export interface BatchStep {
  readonly reconciler: { beginAdds(keys: Iterable<string>): PendingAdds };
  readonly keys: Iterable<string>;
}

type SendChanges = (changes: readonly KernelChange[]) => Promise<readonly (Error | undefined)[]>;

/**
 * Settles `keys` of each reconciler as reconcileOnly does, the adds of all of them sent to the
 * kernel in one batch off the main thread, in the order given (a peer's neighbour before its route).
 */
export async function settleInOneBatch(steps: readonly BatchStep[], send: SendChanges = replaceInOrder): Promise<ReconcileResult[]> {
  const pending = steps.map((step) => step.reconciler.beginAdds(step.keys));
  const changes = pending.flatMap((p) => p.changes);
  const failures = changes.length === 0 ? [] : await send(changes);
  let at = 0;
  return pending.map((p) => {
    const mine = failures.slice(at, at + p.changes.length);
    at += p.changes.length;
    return p.settled(mine);
  });
}

/**
 * From this many entries to add (a join), a pass sends its kernel changes from libuv pool threads
 * (settleSideBySide). Below it that saves under ~100 ms (a route's cost grows with the table), not
 * worth the pool threads it starts and keeps (~0.2 MiB RSS each, ~0.7 MiB at the peak).
 */
export const OFF_THREAD_ADDS = 2_000;

/** Whether `reconciler`'s view lacks so many wanted entries that its pass should go off the main thread. */
export function addsOffThread(reconciler: { view(limit: number): KernelView }): boolean {
  const { wanted, present } = reconciler.view(0);
  return wanted - present >= OFF_THREAD_ADDS;
}

/** As many batches as libuv has pool threads by default: more would only wait in its queue, holding their changes. */
export const BATCHES_IN_FLIGHT = 4;

/**
 * settleInOneBatch for each run, up to `inFlight` at once, so the pool's threads send them side by
 * side; each run's changes are made only when a batch ahead of it has settled. Resolves once every
 * batch has settled (none still changing a reconciler afterwards), rejecting with the first failure
 * (the runs not started by then are left alone).
 */
export async function settleSideBySide(
  runs: readonly (readonly BatchStep[])[],
  send: SendChanges = replaceInOrder,
  inFlight = BATCHES_IN_FLIGHT,
): Promise<ReconcileResult[][]> {
  const results: ReconcileResult[][] = [];
  let next = 0;
  let failure: { reason: unknown } | undefined;
  const lane = async () => {
    while (next < runs.length && failure === undefined) {
      const at = next++;
      try {
        results[at] = await settleInOneBatch(runs[at]!, send);
      } catch (reason) {
        failure ??= { reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, runs.length) }, lane));
  if (failure) throw failure.reason;
  return results;
}

/** The seam to one kind of kernel entry (routes, ARP neighbours, fdb entries): libs/netlink in production. */
export interface KeyedTable<Wanted, Present> {
  /** Every entry of the table; iterated once per full pass (a paged dump keeps few alive at once). */
  list(): Iterable<Present>;
  /** Whether a listed entry is one this backend manages; nothing else is ever touched. */
  owns(entry: Present): boolean;
  /** At most one wanted entry per key: a route's destination, a neighbour's IP, an fdb entry's MAC. */
  keyOf(entry: Wanted | Present): string;
  /** Whether a present entry already is the wanted one. */
  matches(entry: Present, want: Wanted): boolean;
  /**
   * Whether two listed entries agree in every field the backend reads: a full pass then keeps the
   * entry it holds instead of the one just listed, so an unchanged table leaves no new objects.
   */
  sameEntry?(a: Present, b: Present): boolean;
  /** Adds `want`, replacing in place an entry with the same key. */
  replace(want: Wanted): void;
  /** replace() as a change for a batch of several tables' changes (settleInOneBatch). */
  asChange?(want: Wanted): KernelChange;
  /** The entry as the kernel holds it after replace(want), for the reconciler's view. */
  asPresent(want: Wanted): Present;
  remove(entry: Present): void;
  describe(entry: Wanted | Present): string;
}

export interface KeyedReconcilerOptions<Wanted, Present> {
  readonly table: KeyedTable<Wanted, Present>;
  readonly log: Logger;
  /** Told about every entry this reconciler removed (so its deletion event is not taken for someone else's). */
  readonly onRemoved?: (entry: Present) => void;
  /** Told about every entry this reconciler added or replaced; `describe` gives its description. */
  readonly onAdded?: (describe: () => string) => void;
}

/** The wanted entries against the reconciler's view of the kernel (its last full pass plus its own changes since). */
export interface KernelView {
  readonly wanted: number;
  readonly present: number;
  /** Descriptions of wanted entries not present, at most `limit`. */
  readonly missing: string[];
}

/**
 * Keeps one entry per wanted key in the kernel and removes owned entries nobody wants. It only ever
 * changes what differs: an entry already right (ours from before a restart, or one a Go flanneld
 * left) is adopted as is, and a wrong one under a wanted key is replaced in place, never deleted and
 * re-added, so restarts cause no churn. A change the kernel refuses is logged, counted as failed and
 * tried again by the next pass.
 */
export class KeyedReconciler<Wanted, Present> {
  private readonly wanted = new Map<string, Wanted>();
  /** Owned kernel entries by key, as of the last full pass plus our changes since. */
  /** A key's entries in the kernel: the entry itself when there is one (no array per key), else an array. */
  private readonly present = new Map<string, Present | Present[]>();
  /** The full pass that last listed each key of `present`: a pass updates both in place. */
  private readonly listedIn = new Map<string, number>();
  private passes = 0;
  /** Wanted keys without a matching present entry, kept up to date so a status report need not read every entry. */
  private readonly unmatched = new Set<string>();

  constructor(private readonly o: KeyedReconcilerOptions<Wanted, Present>) {}

  /** Replaces the whole wanted set (in place: a periodic pass with the same entries allocates little). */
  setAll(entries: Iterable<Wanted>): void {
    const keys = new Set<string>();
    for (const e of entries) {
      const key = this.o.table.keyOf(e);
      keys.add(key);
      if (this.wanted.get(key) === e) continue;
      this.wanted.set(key, e);
      this.recheck(key);
    }
    for (const key of this.wanted.keys()) if (!keys.has(key)) this.delete(key);
  }

  set(entry: Wanted): void {
    const key = this.o.table.keyOf(entry);
    this.wanted.set(key, entry);
    this.recheck(key);
  }

  delete(key: string): void {
    this.wanted.delete(key);
    this.unmatched.delete(key);
  }

  get size(): number {
    return this.wanted.size;
  }

  /**
   * Some wanted entries changed from `previous` to `next` (one peer event): keys only in `previous`
   * are no longer wanted, `next` is wanted, and only those keys are reconciled, against the view of
   * the last full pass plus our own changes since.
   */
  update(previous: Iterable<Wanted>, next: Iterable<Wanted>): ReconcileResult {
    const keys = new Set<string>();
    for (const entry of previous) {
      const key = this.o.table.keyOf(entry);
      keys.add(key);
      this.wanted.delete(key);
    }
    for (const entry of next) {
      const key = this.o.table.keyOf(entry);
      keys.add(key);
      this.wanted.set(key, entry);
    }
    return this.settle(keys);
  }

  view(limit: number): KernelView {
    const missing: string[] = [];
    for (const key of this.unmatched) {
      if (missing.length >= limit) break;
      missing.push(this.o.table.describe(this.wanted.get(key)!));
    }
    return { wanted: this.wanted.size, present: this.wanted.size - this.unmatched.size, missing };
  }

  /** Brings the kernel in line with the wanted set, reading the whole table (a failing dump throws). */
  reconcile(): ReconcileResult {
    return this.settle(new Set(this.relist()));
  }

  /**
   * The first half of a full pass: reads the whole table into the view (a failing dump throws) and
   * returns the keys to settle (present or wanted), for reconcileOnly in as many steps as suits.
   */
  relist(): string[] {
    const { table } = this.o;
    const pass = ++this.passes;
    // In place, so that a pass over an unchanged table allocates nothing that outlives it: each key
    // keeps its string and, while the kernel lists it unchanged, its entry.
    for (const entry of table.list()) {
      if (!table.owns(entry)) continue;
      const key = table.keyOf(entry);
      const held = this.present.get(key);
      if (this.listedIn.get(key) === pass) {
        if (Array.isArray(held)) held.push(entry);
        else this.present.set(key, [held!, entry]);
        continue;
      }
      this.listedIn.set(key, pass);
      if (held === undefined || Array.isArray(held) || table.sameEntry?.(held, entry) !== true) this.present.set(key, entry);
    }
    for (const key of this.present.keys()) {
      if (this.listedIn.get(key) !== pass) this.setPresent(key, []);
    }
    this.recheckAll();
    const keys = [...this.present.keys()];
    for (const key of this.wanted.keys()) if (!this.present.has(key)) keys.push(key);
    return keys;
  }

  /**
   * Reconciles only these keys against the view of the last full pass plus our own changes since:
   * a peer event costs a few netlink calls instead of a dump of the whole table. Changes made by
   * others are caught by the next full pass.
   */
  reconcileOnly(keys: Iterable<string>): ReconcileResult {
    return this.settle(new Set(keys));
  }

  /**
   * reconcileOnly in two halves, for settleInOneBatch: removals run at once, the adds come back as
   * kernel changes to send, and `settled` records the kernel's answer to each. Nothing else may
   * change this reconciler in between (the backend's one-call-at-a-time queue sees to that).
   */
  beginAdds(keys: Iterable<string>): PendingAdds {
    const { table } = this.o;
    const asChange = table.asChange;
    if (asChange === undefined) throw new Error("beginAdds: the table has no asChange");
    const result = { added: 0, removed: 0, kept: 0, failed: 0 };
    const adds: { key: string; want: Wanted }[] = [];
    for (const key of new Set(keys)) {
      const want = this.clearKey(key, result);
      if (want === undefined) this.recheck(key);
      else adds.push({ key, want });
    }
    return {
      changes: adds.map((a) => asChange(a.want)),
      settled: (failures) => {
        adds.forEach(({ key, want }, i) => this.recordAdd(key, want, this.judged(failures[i], () => `adding ${table.describe(want)}`), result));
        return result;
      },
    };
  }

  private settle(keys: Set<string>): ReconcileResult {
    const { table } = this.o;
    const result = { added: 0, removed: 0, kept: 0, failed: 0 };
    for (const key of keys) {
      const want = this.clearKey(key, result);
      if (want === undefined) this.recheck(key);
      else this.recordAdd(key, want, this.attempt(() => table.replace(want), () => `adding ${table.describe(want)}`), result);
    }
    return result;
  }

  /**
   * Removes the wrong entries under `key` but one, which the add replaces in place; returns the
   * wanted entry when it is not present yet (the caller adds it and records that with recordAdd).
   */
  private clearKey(key: string, result: { kept: number; removed: number; failed: number }): Wanted | undefined {
    const { table } = this.o;
    const want = this.wanted.get(key);
    const held = this.present.get(key);
    // The common case of a pass over an unchanged table: the one entry there is the right one.
    if (want !== undefined && held !== undefined && !Array.isArray(held) && table.matches(held, want)) {
      result.kept++;
      return undefined;
    }
    let entries = entriesOf(held);
    const right = want === undefined ? [] : entries.filter((e) => table.matches(e, want));
    result.kept += right.length;
    // The one wrong entry under a wanted key is replaced in place by the add; other wrong ones go.
    const replaceInPlace = want !== undefined && right.length === 0 && entries.length === 1;
    for (const entry of entries) {
      if (right.includes(entry) || replaceInPlace) continue;
      if (this.attempt(() => table.remove(entry), () => `removing ${table.describe(entry)}`)) {
        result.removed++;
        this.o.onRemoved?.(entry);
        entries = entries.filter((e) => e !== entry);
      } else result.failed++;
    }
    this.setPresent(key, entries);
    return want !== undefined && right.length === 0 ? want : undefined;
  }

  private recordAdd(key: string, want: Wanted, ok: boolean, result: { added: number; failed: number }): void {
    if (ok) {
      result.added++;
      this.o.onAdded?.(() => this.o.table.describe(want));
      this.present.set(key, this.o.table.asPresent(want));
    } else result.failed++;
    this.recheck(key);
  }

  private setPresent(key: string, entries: readonly Present[]): void {
    if (entries.length === 1) this.present.set(key, entries[0]!);
    else if (entries.length > 1) this.present.set(key, [...entries]);
    else {
      this.present.delete(key);
      this.listedIn.delete(key);
    }
  }

  private recheck(key: string): void {
    const want = this.wanted.get(key);
    if (want === undefined || this.holds(key, want)) this.unmatched.delete(key);
    else this.unmatched.add(key);
  }

  /** Whether the view has the wanted entry under `key` (a loop: this runs for every key of a pass). */
  private holds(key: string, want: Wanted): boolean {
    const held = this.present.get(key);
    if (held === undefined) return false;
    if (!Array.isArray(held)) return this.o.table.matches(held, want);
    for (const entry of held) if (this.o.table.matches(entry, want)) return true;
    return false;
  }

  private recheckAll(): void {
    this.unmatched.clear();
    for (const key of this.wanted.keys()) this.recheck(key);
  }

  /** `what` is only built when it is logged: a join at 5,000 peers makes 15,000 changes. */
  private attempt(action: () => void, what: () => string): boolean {
    try {
      action();
    } catch (err) {
      return this.judged(err, what);
    }
    return this.judged(undefined, what);
  }

  /** Logs one change's outcome (`failure` undefined: it was made); true when it was. */
  private judged(failure: unknown, what: () => string): boolean {
    if (failure === undefined) {
      if (this.o.log.isLevelEnabled('debug')) this.o.log.debug(what());
      return true;
    }
    if (isBug(failure)) throw failure; // not the kernel refusing: the reconcile loop's policy ends the backend
    this.o.log.error(`${what()}: ${errorText(failure)}`);
    return false;
  }
}

/** A key's present entries as a list. */
function entriesOf<P>(held: P | P[] | undefined): readonly P[] {
  if (held === undefined) return [];
  return Array.isArray(held) ? held : [held];
}
