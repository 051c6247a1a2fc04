import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isRetryable } from '@flannel-ts/retry';
import { guardLoopbackOnly, startFakeGce, type FakeGce, type LoopbackGuard } from '@flannel-ts/testing';
import { connectInstance, ensureOwnRoute, GceRouteTable, readInstanceFacts, type GceInstance } from '../src/index.js';

let fake: FakeGce;
let guard: LoopbackGuard;
let node: GceInstance;
const lines: string[] = [];
const log = { info: (m: string) => void lines.push(m) };
const saved = { ...process.env };

beforeAll(async () => {
  guard = guardLoopbackOnly();
  fake = await startFakeGce();
  Object.assign(process.env, fake.env());
  // Polls 10 ms apart here: the same loop as the 1 s of a real node, quicker to walk through.
  node = await connectInstance({ pollIntervalMs: 10 });
});
afterEach(() => {
  fake.faults.operationPolls = 1;
  fake.faults.routeQuota = undefined;
  fake.faults.quotaForm = 'operation';
  fake.faults.pageSize = 500;
  fake.faults.allow('compute.routes.create');
});
afterAll(async () => {
  node?.api.close();
  await fake?.close();
  process.env = saved;
  expect(guard.refused()).toEqual([]);
  guard.release();
});

const target = () => ({ api: node.api, networkLink: node.networkLink, instanceLink: node.instanceLink, log });
const failure = async (p: Promise<unknown>) => {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(isRetryable(error)).toBe(true);
  return (error as Error).message;
};

describe('GCE metadata', () => {
  it('reads project, zone, instance and network as Go flanneld does', async () => {
    expect(await readInstanceFacts()).toEqual({ project: 'flannel-test', zone: 'us-central1-a', instance: 'node-1', network: 'default' });
    expect(node.networkLink).toBe(fake.networkLink);
    expect(node.instanceLink).toBe(fake.instanceLink);
    expect(fake.count('metadata instance/service-accounts/default/token')).toBeGreaterThan(0);
  });
});

describe('ensureOwnRoute', () => {
  it('inserts the missing route and only reports it once its operation is DONE', async () => {
    fake.faults.operationPolls = 3;
    const polls = fake.count('globalOperations.get');
    expect(await ensureOwnRoute(target(), '10.244.1.0/24')).toBe('created');
    expect(fake.count('globalOperations.get') - polls).toBe(4);
    expect(fake.route('flannel-10-244-1-0-24')).toEqual({
      name: 'flannel-10-244-1-0-24',
      destRange: '10.244.1.0/24',
      network: fake.networkLink,
      nextHopInstance: fake.instanceLink,
      priority: 1000,
    });
    expect(await ensureOwnRoute(target(), '10.244.1.0/24')).toBe('present');
  });

  it('deletes a route of the same name with another next hop, then inserts its own', async () => {
    const other = fake.addInstance('node-2');
    fake.putRoute({ name: 'flannel-10-244-2-0-24', destRange: '10.244.2.0/24', nextHopInstance: other });
    fake.putRoute({ name: 'someone-elses', destRange: '10.244.2.0/24', nextHopIp: '192.0.2.99' });
    const start = fake.requests().length;
    expect(await ensureOwnRoute(target(), '10.244.2.0/24')).toBe('replaced');
    const calls = fake.requests().slice(start).map((r) => r.call).filter((c) => !c.startsWith('globalOperations'));
    expect(calls).toEqual(['routes.get', 'routes.delete', 'routes.insert']);
    expect(fake.route('flannel-10-244-2-0-24')?.nextHopInstance).toBe(fake.instanceLink);
    expect(fake.route('someone-elses')).toMatchObject({ nextHopIp: '192.0.2.99' });
    expect(lines).toContain(`Deleting conflicting route flannel-10-244-2-0-24 (10.244.2.0/24 → ${other})`);
  });

  it('names the quota and the project when the routes quota is used up, in either form GCE answers', async () => {
    fake.faults.routeQuota = fake.routes().length;
    expect(await failure(ensureOwnRoute(target(), '10.244.3.0/24'))).toMatch(
      /^inserting route flannel-10-244-3-0-24 \(10\.244\.3\.0\/24 → .*\): operation operation-\S+ failed: QUOTA_EXCEEDED: Quota 'ROUTES' exceeded\.  Limit: \d+\.0 globally\. \(project flannel-test has used its routes quota: raise the ROUTES quota or remove routes\)$/,
    );
    fake.faults.quotaForm = 'http';
    expect(await failure(ensureOwnRoute(target(), '10.244.3.0/24'))).toMatch(/: HTTP 403 quotaExceeded: Quota 'ROUTES' exceeded.* \(project flannel-test has used its routes quota/);
    fake.faults.routeQuota = undefined;
    expect(await ensureOwnRoute(target(), '10.244.3.0/24')).toBe('created');
  });

  it('names a missing permission, throttling and server errors in one line each', async () => {
    fake.faults.deny('compute.routes.create');
    expect(await failure(ensureOwnRoute(target(), '10.244.4.0/24'))).toBe(
      "inserting route flannel-10-244-4-0-24 (10.244.4.0/24 → " + fake.instanceLink + "): HTTP 403 forbidden: Required 'compute.routes.create' permission for 'projects/flannel-test/global/routes' (the instance's service account lacks permission compute.routes.create)",
    );
    fake.faults.failNext(1, { status: 429 });
    expect(await failure(ensureOwnRoute(target(), '10.244.4.0/24'))).toBe('getting route flannel-10-244-4-0-24: HTTP 429 rateLimitExceeded: Rate Limit Exceeded');
    fake.faults.failNext(1, { status: 503, calls: ['globalOperations.get'] });
    fake.faults.allow('compute.routes.create');
    expect(await failure(ensureOwnRoute(target(), '10.244.4.0/24'))).toMatch(/polling operation operation-\S+: HTTP 503 backendError: The service is currently unavailable\.$/);
    // The insert went through even though one poll failed: the next check finds the route.
    expect(await ensureOwnRoute(target(), '10.244.4.0/24')).toBe('present');
  });

  it('gives up waiting for an operation after the poll limit', async () => {
    const api = (await connectInstance({ pollIntervalMs: 1, maxPolls: 2 })).api;
    fake.faults.operationPolls = 5;
    expect(await failure(api.insertRoute({ name: 'flannel-10-244-5-0-24', destRange: '10.244.5.0/24', network: fake.networkLink, nextHopInstance: fake.instanceLink }))).toMatch(
      /^inserting route flannel-10-244-5-0-24 .*: timeout waiting for operation operation-\S+ to finish \(2 polls\)$/,
    );
    api.close();
  });
});

describe('GceRouteTable', () => {
  it('lists only flannel-<network>-* routes over every page, inserts with nextHopIp and deletes, a gone route being fine', async () => {
    const table = new GceRouteTable(node.api, 'default', node.networkLink);
    fake.faults.pageSize = 2;
    for (const i of [10, 11, 12, 13, 14]) await table.insert(`10.244.${i}.0/24`, `192.0.2.${i}`);
    fake.putRoute({ name: 'flannel-other-10-244-20-0-24', destRange: '10.244.20.0/24', nextHopIp: '192.0.2.20' });
    const lists = fake.count('routes.list');
    const listed = await table.list();
    expect(fake.count('routes.list') - lists).toBe(3);
    expect(listed.map((r) => r.name).sort()).toEqual([10, 11, 12, 13, 14].map((i) => `flannel-default-10-244-${i}-0-24`));
    expect(listed.find((r) => r.subnet === '10.244.12.0/24')).toEqual({ name: 'flannel-default-10-244-12-0-24', subnet: '10.244.12.0/24', publicIp: '192.0.2.12' });
    expect(fake.route('flannel-default-10-244-10-0-24')).toMatchObject({ network: fake.networkLink, nextHopIp: '192.0.2.10', priority: 1000 });
    await table.delete(listed[0]!);
    fake.deleteRoute(listed[1]!.name);
    await table.delete(listed[1]!);
    expect((await table.list()).length).toBe(3);
    expect(fake.route('flannel-other-10-244-20-0-24')).toBeDefined();
    expect(table.description).toBe('GCE network default of project flannel-test');
  });
});
