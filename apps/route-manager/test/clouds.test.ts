// flannel-route-manager end to end, per cloud: the bundled binary with the real AWS SDK / Google
// clients inside, in a lab namespace, against the fake EC2 / fake GCE; the nodes' leases written to
// etcd as flanneld with the alloc backend writes them. API calls are counted from the fake's log.
import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { etcdctlTxn, waitFor, type ManagedBackend, type ManagedCall } from '@flannel-ts/testing';
import { BINARY, hostIp, leaseKey, leaseValue, startCloudLab, subnetOf, type CloudLab } from './cloud-lab.js';

/** What changes a route, and what reads the whole table: the calls a sync may cost. */
const LISTING: Record<ManagedBackend, string> = { google: 'routes.list', aws: 'DescribeRouteTables' };
const isApiCall = (c: ManagedCall) => !c.op.startsWith('metadata') && !c.op.startsWith('IMDS');

describe.each(['google', 'aws'] as const)('flannel-route-manager -backend=%s against the fake cloud', (backend) => {
  let lab: CloudLab;
  let foreign: string[];
  const routeName = (i: number) =>
    backend === 'google' ? `flannel-${lab.cloud.gce!.network}-10-244-${i}-0-24` : `${lab.cloud.ec2!.ids.mainTableId}:${subnetOf(i)}`;
  const callsSince = (from: number) => lab.cloud.calls().slice(from).filter(isApiCall);
  /** One route change and what it takes: GCE waits for its operation (here: one RUNNING poll, then DONE). */
  const change = (op: 'insert' | 'delete', newHost = false): string[] => {
    if (backend === 'google') return [`routes.${op}`, 'globalOperations.get', 'globalOperations.get'];
    if (op === 'delete') return ['DeleteRoute'];
    return newHost ? ['DescribeInstances', 'CreateRoute'] : ['CreateRoute'];
  };

  beforeAll(async () => {
    if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run "npm run build" first`);
    lab = await startCloudLab(backend);
    await lab.reset();
    foreign = lab.cloud.foreign();
    // GCE operations done at once, but where a test counts their polls.
    if (lab.cloud.gce) lab.cloud.gce.faults.operationPolls = 0;
  });
  afterEach(async () => {
    if (lab.cloud.gce) lab.cloud.gce.faults.operationPolls = 0;
    expect(lab.cloud.foreign()).toEqual(foreign);
    await lab.reset();
  });
  afterAll(async () => {
    await lab?.dispose();
  });

  it('N leases → N routes in one listing, a stale route of its own deleted, routes of others untouched', async () => {
    await lab.putLeases(1, 12);
    lab.cloud.putOwned(subnetOf(99), hostIp(99));
    const from = lab.cloud.calls().length;
    const m = lab.startManager();
    await lab.converged();
    await waitFor(() => m.messages().includes('reconciler done'), { what: 'reconciler done' });
    expect(Object.keys(lab.routes())).toHaveLength(12);
    expect(lab.routes()[subnetOf(7)]).toBe(hostIp(7));
    const calls = callsSince(from);
    // aws: finding the table (the subnet's: none; the VPC's main one) takes two of them.
    expect(calls.filter((c) => c.op === LISTING[backend]).length).toBe(backend === 'google' ? 1 : 3);
    expect(calls.filter((c) => c.status < 300 && /(delete|DeleteRoute)$/.test(c.op)).map((c) => c.subject)).toEqual([
      backend === 'google' ? routeName(99) : subnetOf(99),
    ]);
    const lines = m.messages();
    expect(lines[0]).toBe('starting fleet route manager...');
    expect(lines).toContain(`reconciler: deleted ${routeName(99)}`);
    expect(lines).toContain(`reconciler: inserted ${routeName(7)}`);
    expect(m.proc.hasExited()).toBe(false);
  });

  it('a changed lease costs exactly its calls, never a listing: removed, moved, added, expired', async () => {
    if (lab.cloud.gce) lab.cloud.gce.faults.operationPolls = 1;
    await lab.putLeases(1, 5);
    const m = lab.startManager();
    await lab.converged();
    await waitFor(() => m.messages().includes('reconciler done'), { what: 'reconciler done' });

    const step = async (what: string, edit: () => Promise<unknown>, expected: string[], logged: string[]) => {
      const from = lab.cloud.calls().length;
      await edit();
      await lab.converged();
      await waitFor(() => logged.every((l) => m.messages().includes(l)), { what: `the manager to log ${logged.join(', ')}` });
      expect({ what, calls: callsSince(from).map((c) => c.op) }).toEqual({ what, calls: expected });
    };
    await step('removed', () => lab.etcd.etcdctl(['del', leaseKey(2)]), change('delete'), [`monitor: deleted ${routeName(2)}`]);
    await step('moved', () => lab.etcd.etcdctl(['put', leaseKey(3), leaseValue(33)]), [...change('delete'), ...change('insert', true)], [
      `monitor: deleted ${routeName(3)}`,
      `monitor: inserted ${routeName(3)}`,
    ]);
    expect(lab.routes()[subnetOf(3)]).toBe(hostIp(33));
    await step('added', () => lab.etcd.etcdctl(['put', leaseKey(6), leaseValue(66)]), change('insert', true), [`monitor: inserted ${routeName(6)}`]);

    const granted = await lab.etcd.etcdctl(['lease', 'grant', '2']);
    const id = /lease ([0-9a-f]+) granted/.exec(granted)![1]!;
    await lab.etcd.etcdctl(['put', leaseKey(7), leaseValue(77), `--lease=${id}`]);
    // Kept alive until its route is there, however slow the machine; then left to expire.
    await waitFor(
      async () => {
        if (lab.routes()[subnetOf(7)] === hostIp(77)) return true;
        await lab.etcd.etcdctl(['lease', 'keep-alive', '--once', id]);
        return false;
      },
      { what: 'the route of the short-lived lease' },
    );
    const from = lab.cloud.calls().length;
    await waitFor(() => lab.routes()[subnetOf(7)] === undefined, { what: 'the route of the expired lease to be deleted' });
    await lab.converged();
    await waitFor(() => m.messages().includes(`monitor: deleted ${routeName(7)}`), { what: 'the expiry logged' });
    expect(callsSince(from).map((c) => c.op)).toEqual(change('delete'));
    expect(m.messages().filter((l) => l === 'reconciler starting...')).toHaveLength(1);
  });

  it('converges after a burst of changes with an etcd compaction in the middle', async () => {
    await lab.putLeases(1, 10);
    const m = lab.startManager();
    await lab.converged();
    await lab.putLeases(11, 20);
    await lab.putLeases(1, 4, (i) => 100 + i);
    lab.proxy.cut();
    await etcdctlTxn(lab.etcd, Array.from({ length: 6 }, (_, j) => ({ del: leaseKey(5 + j) })));
    await lab.putLeases(21, 25);
    const rev = JSON.parse(await lab.etcd.etcdctl(['get', leaseKey(21), '-w', 'json'])).header.revision;
    await lab.etcd.etcdctl(['compact', String(rev)]);
    lab.proxy.restore();
    for (const i of [11, 12, 13]) await lab.etcd.etcdctl(['del', leaseKey(i)]);
    await lab.converged();
    expect(m.messages().some((l) => l.includes('re-listing'))).toBe(true);
    expect(Object.keys(lab.routes())).toHaveLength(16);
    expect(m.proc.hasExited()).toBe(false);
  });

  it('rides out throttling and server errors, deleting nothing it should keep, and converges', async () => {
    await lab.putLeases(1, 8);
    // The AWS SDK would retry a refused call by itself first; here every refusal reaches the manager, as with Google's clients.
    const m = lab.startManager([], { AWS_MAX_ATTEMPTS: '1' });
    await lab.converged();
    const from = lab.cloud.calls().length;
    lab.cloud.failNext(2, 'throttle');
    lab.cloud.failNext(2, 'server');
    await etcdctlTxn(lab.etcd, [{ del: leaseKey(1) }, { del: leaseKey(2) }, { put: [leaseKey(3), leaseValue(133)] }, { put: [leaseKey(9), leaseValue(9)] }]);
    await lab.converged();
    const calls = callsSince(from);
    expect(calls.filter((c) => c.status >= 400).length).toBe(4);
    const deleted = calls.filter((c) => c.status < 300 && /(routes\.delete|DeleteRoute)$/.test(c.op)).map((c) => c.subject);
    const mayGo = backend === 'google' ? [1, 2, 3].map(routeName) : [1, 2, 3].map(subnetOf);
    expect(deleted.every((s) => mayGo.includes(s!))).toBe(true);
    expect(m.messages().some((l) => l.startsWith('Syncing the routes of ') && l.includes('failed (trying again in'))).toBe(true);
    expect(m.proc.hasExited()).toBe(false);
  });

  it('retries an unreachable metadata server, one line per attempt, and a signal still ends it with exit 0', async () => {
    const nowhere: Record<string, string> = backend === 'google' ? { GCE_METADATA_HOST: '127.0.0.1:9' } : { AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:9' };
    const m = lab.startManager([], nowhere);
    const failed = () => m.messages().filter((l) => l.startsWith(`Connecting to the ${backend === 'google' ? 'GCE' : 'EC2'} route table failed (trying again in`));
    await waitFor(() => failed().length >= 2, { what: 'two failed attempts' });
    expect(failed()[0]).toContain('127.0.0.1:9');
    m.proc.kill('SIGTERM');
    expect(await m.exited()).toBe(0);
  });

  it('-delete-all-routes removes only the routes it owns and exits 0', async () => {
    for (const i of [1, 2, 3]) lab.cloud.putOwned(subnetOf(i), hostIp(i));
    // GCE routes are known by their names: no etcd needed, as the original (here: none reachable).
    const m = lab.startManager(backend === 'google' ? ['-delete-all-routes', '-etcd-endpoints=http://127.0.0.1:9'] : ['-delete-all-routes']);
    expect(await m.exited()).toBe(0);
    expect(lab.routes()).toEqual({});
    const lines = m.messages();
    expect(lines).not.toContain('starting fleet route manager...');
    expect(lines.slice(lines.indexOf('deleting all routes') + 1).sort()).toEqual([1, 2, 3].map((i) => `deleted: ${routeName(i)}`));
  });
});
