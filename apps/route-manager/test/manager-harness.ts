import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { EtcdServer } from '@flannel-ts/testing';
import { waitFor } from '@flannel-ts/testing';
import type { RouteManagerOptions } from '../src/options.js';
import type { RouteSync } from '../src/route-sync.js';
import { runRouteManager } from '../src/run-route-manager.js';
import { RecordingTable } from './recording-table.js';

export const PREFIX = '/coreos.com/network';
export const CONFIG = '{"Network":"10.244.0.0/16","Backend":{"Type":"alloc"}}';
export const keyOf = (i: number) => `${PREFIX}/subnets/10.244.${i}.0-24`;
export const valueOf = (host: number) => `{"PublicIP":"192.0.2.${host}","PublicIPv6":null}`;
export const routeName = (i: number) => RecordingTable.nameOf(`10.244.${i}.0/24`);

/** A logger whose messages the test reads. */
export function memoryLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line).msg);
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), lines };
}

/** etcd's leases as the route table should hold them: subnet → PublicIP, sorted. */
export async function leasesInEtcd(etcd: EtcdServer): Promise<Record<string, string>> {
  const out = JSON.parse(await etcd.etcdctl(['get', '--prefix', `${PREFIX}/subnets/`, '-w', 'json']));
  const pairs: Array<[string, string]> = (out.kvs ?? []).map((kv: { key: string; value: string }) => {
    const key = Buffer.from(kv.key, 'base64').toString();
    const subnet = key.slice(key.lastIndexOf('/') + 1).replace('-', '/');
    return [subnet, JSON.parse(Buffer.from(kv.value, 'base64').toString()).PublicIP];
  });
  return Object.fromEntries(pairs.sort());
}

export interface RunningManager {
  readonly table: RecordingTable;
  readonly lines: string[];
  readonly sync: () => RouteSync;
  /** Resolves to the exit status once the manager ended. */
  readonly exit: Promise<number>;
  /** Waits until the table holds exactly etcd's leases. */
  converged(etcd: EtcdServer): Promise<void>;
  stop(): Promise<number>;
}

/** Runs the manager in this process against `endpoint`, driving `table`. */
export function startManager(endpoint: string, options: Partial<RouteManagerOptions> = {}, table = new RecordingTable()): RunningManager {
  const { log, lines } = memoryLogger();
  const abort = new AbortController();
  let sync: RouteSync | undefined;
  const exit = runRouteManager(
    {
      backend: 'google',
      etcd: { endpoints: [endpoint] },
      etcdPrefix: PREFIX,
      syncIntervalMs: 3_600_000,
      deleteAllRoutes: false,
      verbosity: 0,
      ...options,
    },
    log,
    abort.signal,
    { createTable: async () => table, started: (s) => (sync = s), firstRetryMs: 10 },
  );
  exit.catch(() => undefined);
  return {
    table,
    lines,
    exit,
    sync: () => {
      if (!sync) throw new Error('the manager has not started its sync yet');
      return sync;
    },
    async converged(etcd) {
      await waitFor(
        async () => sync !== undefined && sync.stats.lists > 0 && JSON.stringify(table.state()) === JSON.stringify(await leasesInEtcd(etcd)),
        { what: "the route table to hold exactly etcd's leases" },
      );
    },
    async stop() {
      abort.abort();
      return exit.catch(() => -1);
    },
  };
}
