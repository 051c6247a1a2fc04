import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { KernelChange } from '@flannel-ts/netlink';
import { KeyedReconciler, settleInOneBatch, settleSideBySide, type KeyedTable } from './keyed-reconciler.js';

interface Fdb {
  readonly mac: string;
  readonly dst: string;
  readonly permanent?: boolean;
}

/** An in-memory fdb (several remotes per MAC allowed) recording every change. */
function memoryFdb(initial: Fdb[]): KeyedTable<Fdb, Fdb> & { entries: Fdb[]; changes: string[] } {
  const t = {
    entries: [...initial],
    changes: [] as string[],
    list: () => [...t.entries],
    owns: (e: Fdb) => e.permanent !== false,
    keyOf: (e: Fdb) => e.mac,
    matches: (e: Fdb, w: Fdb) => e.dst === w.dst,
    replace(w: Fdb) {
      const i = t.entries.findIndex((e) => e.mac === w.mac);
      if (i >= 0) t.entries[i] = w;
      else t.entries.push(w);
      t.changes.push(`replace ${w.mac} ${w.dst}`);
    },
    asPresent: (w: Fdb) => w,
    remove(e: Fdb) {
      t.entries = t.entries.filter((x) => x !== e);
      t.changes.push(`remove ${e.mac} ${e.dst}`);
    },
    describe: (e: Fdb) => `${e.mac} dst ${e.dst}`,
  };
  return t;
}

const log = pino({ level: 'silent' });

describe('KeyedReconciler', () => {
  it('adopts right entries untouched, replaces wrong ones in place and removes stale ones', () => {
    const table = memoryFdb([
      { mac: 'aa', dst: '192.0.2.12' }, // right
      { mac: 'bb', dst: '192.0.2.99' }, // wanted elsewhere
      { mac: 'cc', dst: '192.0.2.14' }, // nobody wants it
    ]);
    const r = new KeyedReconciler({ table, log });
    r.setAll([
      { mac: 'aa', dst: '192.0.2.12' },
      { mac: 'bb', dst: '192.0.2.13' },
      { mac: 'dd', dst: '192.0.2.15' },
    ]);
    expect(r.reconcile()).toEqual({ added: 2, removed: 1, kept: 1, failed: 0 });
    expect(table.changes.sort()).toEqual(['remove cc 192.0.2.14', 'replace bb 192.0.2.13', 'replace dd 192.0.2.15']);
    table.changes.length = 0;
    expect(r.reconcile()).toEqual({ added: 0, removed: 0, kept: 3, failed: 0 });
    expect(table.changes).toEqual([]);
    expect(r.size).toBe(3);
  });

  it('a full pass keeps the entries it holds while the kernel lists them unchanged, and takes changed ones', () => {
    // Listing gives fresh objects each time, as the netlink dump does.
    const table = memoryFdb([]);
    const fresh: KeyedTable<Fdb, Fdb> = {
      ...table,
      list: () => table.entries.map((e) => ({ ...e })),
      sameEntry: (a, b) => a.mac === b.mac && a.dst === b.dst,
      remove: (e) => {
        table.entries = table.entries.filter((x) => x.mac !== e.mac || x.dst !== e.dst);
        table.changes.push(`remove ${e.mac} ${e.dst} (${held.has(e) ? 'held' : 'listed'})`);
      },
    };
    const held = new Set<Fdb>();
    const r = new KeyedReconciler({ table: { ...fresh, asPresent: (w) => (held.add(w), w) }, log });
    r.setAll([{ mac: 'aa', dst: '192.0.2.12' }, { mac: 'bb', dst: '192.0.2.13' }]);
    expect(r.reconcile()).toEqual({ added: 2, removed: 0, kept: 0, failed: 0 });
    expect(r.reconcile()).toEqual({ added: 0, removed: 0, kept: 2, failed: 0 });
    // Someone moves bb elsewhere: the pass sees the change and puts it back.
    table.entries = table.entries.map((e) => (e.mac === 'bb' ? { mac: 'bb', dst: '198.51.100.1' } : e));
    table.changes.length = 0;
    expect(r.reconcile()).toEqual({ added: 1, removed: 0, kept: 1, failed: 0 });
    expect(table.changes).toEqual(['replace bb 192.0.2.13']);
    // Neither is wanted any more: the unchanged aa is still the object the add recorded.
    table.changes.length = 0;
    r.setAll([]);
    expect(r.reconcile()).toEqual({ added: 0, removed: 2, kept: 0, failed: 0 });
    expect(table.changes.sort()).toEqual(['remove aa 192.0.2.12 (held)', 'remove bb 192.0.2.13 (held)']);
    expect(table.entries).toEqual([]);
  });

  it('setAll replaces the wanted set: keys left out are no longer wanted, a key given twice keeps the last', () => {
    const table = memoryFdb([]);
    const r = new KeyedReconciler({ table, log });
    r.setAll([{ mac: 'aa', dst: '192.0.2.12' }, { mac: 'bb', dst: '192.0.2.13' }]);
    r.reconcile();
    r.setAll([{ mac: 'bb', dst: '192.0.2.14' }, { mac: 'cc', dst: '192.0.2.15' }, { mac: 'cc', dst: '192.0.2.16' }]);
    expect(r.size).toBe(2);
    expect(r.reconcile()).toEqual({ added: 2, removed: 1, kept: 0, failed: 0 });
    expect(table.entries).toEqual([{ mac: 'bb', dst: '192.0.2.14' }, { mac: 'cc', dst: '192.0.2.16' }]);
  });

  it('keeps the right one of several entries under one key and removes the rest', () => {
    const table = memoryFdb([
      { mac: 'aa', dst: '192.0.2.98' },
      { mac: 'aa', dst: '192.0.2.12' },
      { mac: 'aa', dst: '192.0.2.99' },
    ]);
    const r = new KeyedReconciler({ table, log });
    r.setAll([{ mac: 'aa', dst: '192.0.2.12' }]);
    expect(r.reconcile()).toEqual({ added: 0, removed: 2, kept: 1, failed: 0 });
    expect(table.entries).toEqual([{ mac: 'aa', dst: '192.0.2.12' }]);
  });

  it('never touches entries it does not own', () => {
    const foreign = { mac: 'ee', dst: '192.0.2.16', permanent: false };
    const table = memoryFdb([foreign]);
    const r = new KeyedReconciler({ table, log });
    r.setAll([]);
    for (let i = 0; i < 10; i++) r.reconcile();
    expect(table.changes).toEqual([]);
    expect(table.entries).toEqual([foreign]);
  });

  it('counts a failed change and retries it on the next pass', () => {
    const table = memoryFdb([]);
    let fail = true;
    const flaky: KeyedTable<Fdb, Fdb> = {
      ...table,
      replace: (w) => {
        if (fail) throw new Error('No such device');
        table.replace(w);
      },
    };
    const r = new KeyedReconciler({ table: flaky, log });
    r.setAll([{ mac: 'aa', dst: '192.0.2.12' }]);
    expect(r.reconcile()).toEqual({ added: 0, removed: 0, kept: 0, failed: 1 });
    fail = false;
    expect(r.reconcile()).toEqual({ added: 1, removed: 0, kept: 0, failed: 0 });
  });

  it('settleInOneBatch: the adds of several tables in one batch, in order; removals at once; each failure counted and retried', async () => {
    const fdbTable = memoryFdb([
      { mac: 'bb', dst: '192.0.2.99' }, // wanted elsewhere: replaced in place by the batch
      { mac: 'cc', dst: '192.0.2.14' }, // nobody wants it: removed before the batch goes
    ]);
    const arpTable = memoryFdb([]);
    const batched = (table: ReturnType<typeof memoryFdb>, family: 'inet' | 'bridge'): KeyedTable<Fdb, Fdb> => ({
      ...table,
      replace: () => {
        throw new Error('replace() called: the adds should go in a batch');
      },
      asChange: (w) => ({ neigh: { index: 7, family, mac: w.mac, ip: w.dst } }),
    });
    const batches: string[][] = [];
    let refuse = 'dd';
    const send = async (changes: readonly KernelChange[]) => {
      batches.push(changes.map((c) => ('neigh' in c ? `${c.neigh.family} ${c.neigh.mac}` : 'route')));
      await new Promise((resolve) => setImmediate(resolve)); // as a pool thread: later
      return changes.map((c) => {
        if (!('neigh' in c)) throw new Error('a route in a batch of neighbours');
        if (c.neigh.mac === refuse) return Object.assign(new Error('No buffer space available'), { code: 'ENOBUFS' });
        (c.neigh.family === 'inet' ? arpTable : fdbTable).replace({ mac: c.neigh.mac!, dst: c.neigh.ip! });
        return undefined;
      });
    };
    const fdb = new KeyedReconciler({ table: batched(fdbTable, 'bridge'), log });
    const arp = new KeyedReconciler({ table: batched(arpTable, 'inet'), log });
    fdb.setAll([
      { mac: 'aa', dst: '192.0.2.12' },
      { mac: 'bb', dst: '192.0.2.13' },
      { mac: 'dd', dst: '192.0.2.15' },
    ]);
    arp.setAll([{ mac: 'ee', dst: '10.244.1.0' }]);
    const settling = settleInOneBatch([{ reconciler: arp, keys: arp.relist() }, { reconciler: fdb, keys: fdb.relist() }], send);
    expect(fdbTable.changes).toEqual(['remove cc 192.0.2.14']);
    expect(await settling).toEqual([
      { added: 1, removed: 0, kept: 0, failed: 0 },
      { added: 2, removed: 1, kept: 0, failed: 1 },
    ]);
    expect(batches).toHaveLength(1);
    expect(batches[0]![0]).toBe('inet ee'); // the first step's changes go first
    expect([...batches[0]!.slice(1)].sort()).toEqual(['bridge aa', 'bridge bb', 'bridge dd']);
    expect(fdb.view(5)).toEqual({ wanted: 3, present: 2, missing: ['dd dst 192.0.2.15'] });
    expect(arp.view(5).missing).toEqual([]);
    // The next pass adds only what is still missing; nothing to add sends nothing.
    refuse = '';
    expect(await settleInOneBatch([{ reconciler: arp, keys: arp.relist() }, { reconciler: fdb, keys: fdb.relist() }], send)).toEqual([
      { added: 0, removed: 0, kept: 1, failed: 0 },
      { added: 1, removed: 0, kept: 2, failed: 0 },
    ]);
    expect(batches[1]).toEqual(['bridge dd']);
    expect(await settleInOneBatch([{ reconciler: fdb, keys: fdb.relist() }], send)).toEqual([{ added: 0, removed: 0, kept: 3, failed: 0 }]);
    expect(batches).toHaveLength(2);
  });

  it('settleSideBySide: every run in flight at once; a failing run rejects only after every other run has settled', async () => {
    const table = memoryFdb([]);
    const r = new KeyedReconciler({ table: { ...table, asChange: (w: Fdb) => ({ neigh: { index: 7, family: 'bridge' as const, mac: w.mac, ip: w.dst } }) }, log });
    r.setAll(['aa', 'bb', 'cc'].map((mac) => ({ mac, dst: '192.0.2.12' })));
    const keys = r.relist();
    const release: Array<() => void> = [];
    let inFlight = 0;
    const send = async (changes: readonly KernelChange[]) => {
      inFlight++;
      await new Promise<void>((resolve) => release.push(resolve));
      if (changes.some((c) => 'neigh' in c && c.neigh.mac === 'bb')) throw new TypeError('a malformed change');
      return changes.map(() => undefined);
    };
    let done = false;
    const settling = settleSideBySide(keys.map((key) => [{ reconciler: r, keys: [key] }]), send).finally(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(inFlight).toBe(3);
    release[1]!(); // the failing run settles first
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    release[0]!();
    release[2]!();
    await expect(settling).rejects.toThrow('a malformed change');
    expect(r.view(5).missing).toEqual(['bb dst 192.0.2.12']);
  });

  it('settleSideBySide keeps at most inFlight batches going, each run\'s changes made only when it starts, results in run order', async () => {
    const table = memoryFdb([]);
    const r = new KeyedReconciler({ table: { ...table, asChange: (w: Fdb) => ({ neigh: { index: 7, family: 'bridge' as const, mac: w.mac, ip: w.dst } }) }, log });
    const macs = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'];
    r.setAll(macs.map((mac) => ({ mac, dst: '192.0.2.12' })));
    const keys = r.relist();
    let inFlight = 0;
    let most = 0;
    const started: string[] = [];
    const send = async (changes: readonly KernelChange[]) => {
      inFlight++;
      most = Math.max(most, inFlight);
      started.push(...changes.map((c) => ('neigh' in c ? c.neigh.mac! : '')));
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return changes.map(() => undefined);
    };
    const results = await settleSideBySide(keys.map((key) => [{ reconciler: r, keys: [key] }]), send, 2);
    expect(most).toBe(2);
    expect(started).toEqual(macs);
    expect(results).toEqual(macs.map(() => [{ added: 1, removed: 0, kept: 0, failed: 0 }]));
    expect(r.view(10).missing).toEqual([]);
  });

  it('beginAdds needs a table that can express its adds as kernel changes', () => {
    const r = new KeyedReconciler({ table: memoryFdb([]), log });
    expect(() => r.beginAdds([])).toThrow(/asChange/);
  });

  it('reconciles single keys from its view, without listing the table again', () => {
    const table = memoryFdb([{ mac: 'aa', dst: '192.0.2.12' }, { mac: 'cc', dst: '192.0.2.14' }]);
    let lists = 0;
    const removed: string[] = [];
    const r = new KeyedReconciler({ table: { ...table, list: () => (lists++, table.list()) }, log, onRemoved: (e) => removed.push(e.mac) });
    r.setAll([{ mac: 'aa', dst: '192.0.2.12' }, { mac: 'cc', dst: '192.0.2.14' }]);
    expect(r.reconcile()).toEqual({ added: 0, removed: 0, kept: 2, failed: 0 });
    r.set({ mac: 'aa', dst: '192.0.2.22' });
    r.delete('cc');
    r.set({ mac: 'dd', dst: '192.0.2.15' });
    expect(r.reconcileOnly(['aa', 'cc', 'dd'])).toEqual({ added: 2, removed: 1, kept: 0, failed: 0 });
    // Its own changes are in its view: a repeat does nothing.
    expect(r.reconcileOnly(['aa', 'cc', 'dd'])).toEqual({ added: 0, removed: 0, kept: 2, failed: 0 });
    expect(lists).toBe(1);
    expect(removed).toEqual(['cc']);
    expect(table.changes).toEqual(['replace aa 192.0.2.22', 'remove cc 192.0.2.14', 'replace dd 192.0.2.15']);
  });

  it('updates the entries one change touched: old keys no longer wanted go, new ones come, nothing else is looked at', () => {
    const table = memoryFdb([{ mac: 'aa', dst: '192.0.2.12' }, { mac: 'bb', dst: '192.0.2.13' }, { mac: 'cc', dst: '192.0.2.14' }]);
    let lists = 0;
    const r = new KeyedReconciler({ table: { ...table, list: () => (lists++, table.list()) }, log });
    r.setAll([{ mac: 'aa', dst: '192.0.2.12' }, { mac: 'bb', dst: '192.0.2.13' }, { mac: 'cc', dst: '192.0.2.14' }]);
    r.reconcile();
    // A peer moved (aa: new dst), one changed its MAC (bb → dd), one is gone (cc).
    const result = r.update(
      [{ mac: 'aa', dst: '192.0.2.12' }, { mac: 'bb', dst: '192.0.2.13' }, { mac: 'cc', dst: '192.0.2.14' }],
      [{ mac: 'aa', dst: '192.0.2.22' }, { mac: 'dd', dst: '192.0.2.13' }],
    );
    expect(result).toEqual({ added: 2, removed: 2, kept: 0, failed: 0 });
    expect(table.changes).toEqual(['replace aa 192.0.2.22', 'remove bb 192.0.2.13', 'remove cc 192.0.2.14', 'replace dd 192.0.2.13']);
    expect(r.size).toBe(2);
    expect(lists).toBe(1);
    // A full pass finds the kernel as wanted.
    expect(r.reconcile()).toEqual({ added: 0, removed: 0, kept: 2, failed: 0 });
  });

  it('lets a bug-type error through instead of counting it as a refused change', () => {
    const table = memoryFdb([]);
    const broken: KeyedTable<Fdb, Fdb> = {
      ...table,
      replace: () => {
        throw new TypeError("Cannot read properties of undefined (reading 'index')");
      },
    };
    const r = new KeyedReconciler({ table: broken, log });
    r.setAll([{ mac: 'aa', dst: '192.0.2.12' }]);
    expect(() => r.reconcile()).toThrow(TypeError);
  });
  it('reports the same view as comparing every wanted entry with what it last saw (randomized)', () => {
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const macs = ['aa', 'bb', 'cc', 'dd', 'ee', 'ff', 'gg', 'hh'];
    const dsts = ['192.0.2.1', '192.0.2.2', '192.0.2.3'];
    const entry = (): Fdb => ({ mac: pick(macs), dst: pick(dsts) });
    const table = memoryFdb([]);
    // What the reconciler last saw of the kernel: its last listing plus its own changes since.
    let seen: Fdb[] = [];
    const r = new KeyedReconciler({
      table: {
        ...table,
        list: () => (seen = [...table.list()].filter(table.owns)),
        replace: (w) => {
          table.replace(w);
          seen = [...seen.filter((e) => e.mac !== w.mac), w];
        },
        remove: (e) => {
          table.remove(e);
          seen = seen.filter((x) => x !== e);
        },
      },
      log,
    });
    const wanted = new Map<string, Fdb>();
    for (let step = 0; step < 3_000; step++) {
      const op = Math.floor(random() * 7);
      if (op === 0) {
        const all = Array.from({ length: Math.floor(random() * 6) }, entry);
        wanted.clear();
        for (const e of all) wanted.set(e.mac, e);
        r.setAll(all);
      } else if (op === 1) {
        const e = entry();
        wanted.set(e.mac, e);
        r.set(e);
      } else if (op === 2) {
        const mac = pick(macs);
        wanted.delete(mac);
        r.delete(mac);
      } else if (op === 3) {
        const before = [...wanted.values()].filter(() => random() < 0.3);
        const after = Array.from({ length: Math.floor(random() * 3) }, entry);
        for (const e of before) wanted.delete(e.mac);
        for (const e of after) wanted.set(e.mac, e);
        r.update(before, after);
      } else if (op === 4) {
        r.reconcileOnly([pick(macs), pick(macs)]);
      } else if (op === 5) {
        // Someone else changes the kernel; the reconciler sees it at its next listing.
        if (random() < 0.5 && table.entries.length > 0) table.entries.splice(Math.floor(random() * table.entries.length), 1);
        else table.entries.push({ ...entry(), permanent: random() < 0.8 });
      } else if (random() < 0.5) r.reconcile();
      else r.relist();
      const unmatched = [...wanted.values()].filter((w) => !seen.some((e) => e.mac === w.mac && table.matches(e, w)));
      const view = r.view(100);
      expect(view.wanted).toBe(wanted.size);
      expect(view.present).toBe(wanted.size - unmatched.length);
      expect([...view.missing].sort()).toEqual(unmatched.map(table.describe).sort());
    }
  });
});
