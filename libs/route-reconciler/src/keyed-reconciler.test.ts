import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { KeyedReconciler, type KeyedTable } from './keyed-reconciler.js';

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
});
