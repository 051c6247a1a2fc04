import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RouteInfo } from '../src/index.js';
import { assertAddonBuilt, createNetns, deleteNetns, ip, ipBatch, ipJson, NetnsRunner } from './helpers.js';

// Two veth ends in one throwaway namespace: veth0 holds 192.0.2.1/24, so the "hosts" A and B
// below are on-link gateways.
const A = '192.0.2.12';
const B = '192.0.2.13';

interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  scope?: string;
  prefsrc?: string;
  metric?: number;
  flags?: string[];
  type?: string;
  table?: string;
}

const PROTOCOLS: Record<string, number> = { redirect: 1, kernel: 2, boot: 3, static: 4 };
const SCOPES: Record<string, number> = { global: 0, site: 200, link: 253, host: 254 };
const TYPES: Record<string, number> = { unicast: 1, local: 2, broadcast: 3, anycast: 4, multicast: 5, blackhole: 6, unreachable: 7, prohibit: 8 };
const TABLES: Record<string, number> = { default: 253, main: 254, local: 255 };

describe('routes', () => {
  let ns: string;
  let runner: NetnsRunner;
  let veth0: number;

  /** `ip -4 -d -j route show <args>` in our terms, for comparing with listRoutes. */
  async function ipRoutes(args: string[] = []): Promise<Partial<RouteInfo>[]> {
    const links = await ipJson<{ ifindex: number; ifname: string }[]>(ns, ['link']);
    const indexOf = new Map(links.map((link) => [link.ifname, link.ifindex]));
    const routes = await ipJson<IpRoute[]>(ns, ['-4', '-d', 'route', 'show', ...args]);
    // ip leaves the table out when the listing asks for one.
    const shownTable = args[0] === 'table' && args[1] !== 'all' ? Number(args[1]) : 254;
    const number = (names: Record<string, number>, name: string | undefined): number | undefined =>
      name === undefined ? undefined : (names[name] ?? Number(name));
    return routes.map((route) => normalize({
      dst: route.dst === 'default' ? '0.0.0.0/0' : route.dst.includes('/') ? route.dst : `${route.dst}/32`,
      gateway: route.gateway,
      oif: route.dev === undefined ? undefined : indexOf.get(route.dev),
      prefsrc: route.prefsrc,
      table: number(TABLES, route.table) ?? shownTable,
      protocol: number(PROTOCOLS, route.protocol),
      scope: number(SCOPES, route.scope),
      type: number(TYPES, route.type),
      priority: route.metric,
      onlink: route.flags?.includes('onlink') ?? false,
    }));
  }

  /** The fields `ip route` shows, without undefined ones. */
  function normalize(route: Partial<RouteInfo>): Partial<RouteInfo> {
    const { dst, gateway, oif, prefsrc, table, protocol, scope, type, priority, onlink } = route;
    return Object.fromEntries(
      Object.entries({ dst, gateway, oif, prefsrc, table, protocol, scope, type, priority, onlink }).filter(([, value]) => value !== undefined),
    );
  }

  const route = (fields: Partial<RouteInfo>): Partial<RouteInfo> => ({ table: 254, protocol: 3, scope: 0, type: 1, onlink: false, ...fields });

  const byDst = (a: Partial<RouteInfo>, b: Partial<RouteInfo>): number =>
    `${a.dst} ${a.table} ${a.gateway}`.localeCompare(`${b.dst} ${b.table} ${b.gateway}`);

  beforeAll(async () => {
    assertAddonBuilt();
    ns = await createNetns();
    await ipBatch(ns, [
      'link add veth0 type veth peer name veth1',
      'addr add 192.0.2.1/24 dev veth0',
      'link set veth0 up',
      'link set veth1 up',
    ]);
    runner = await NetnsRunner.start(ns);
    veth0 = (await ipJson<{ ifindex: number }[]>(ns, ['link', 'show', 'veth0']))[0]!.ifindex;
  });

  afterAll(async () => {
    await runner?.stop();
    if (ns) await deleteNetns(ns);
  });

  test('adds a route via an on-link gateway, as iproute2 would', async () => {
    await runner.call('addRoute', { dst: '10.244.3.0/24', gateway: A, oif: veth0 });
    expect(await ipRoutes(['10.244.3.0/24'])).toEqual([route({ dst: '10.244.3.0/24', gateway: A, oif: veth0 })]);
    const listed = await runner.call<RouteInfo[]>('listRoutes');
    expect(listed).toContainEqual({
      dst: '10.244.3.0/24', gateway: A, oif: veth0, table: 254, protocol: 3, scope: 0, type: 1, onlink: false, multipath: false,
    });
  });

  test('adding it again fails with EEXIST, naming the route', async () => {
    const error = await runner.failure('addRoute', { dst: '10.244.3.0/24', gateway: A, oif: veth0 });
    expect(error).toEqual({
      name: 'Error',
      code: 'EEXIST',
      errno: -17,
      syscall: 'netlink',
      message: `adding route 10.244.3.0/24 via ${A} dev veth0: File exists`,
    });
  });

  test('replace moves the route to another gateway, leaving one route', async () => {
    await runner.call('replaceRoute', { dst: '10.244.3.0/24', gateway: B, oif: veth0 });
    expect(await ipRoutes(['10.244.3.0/24'])).toEqual([route({ dst: '10.244.3.0/24', gateway: B, oif: veth0 })]);
  });

  test('replace creates a route that is absent', async () => {
    await runner.call('replaceRoute', { dst: '10.244.4.0/24', gateway: A });
    expect(await ipRoutes(['10.244.4.0/24'])).toEqual([route({ dst: '10.244.4.0/24', gateway: A, oif: veth0 })]);
  });

  test('replaceInOrder sets many routes off the main thread and reports each failure in its place', async () => {
    const changes = [
      { route: { dst: '10.244.40.0/24', gateway: A, oif: veth0 } },
      { route: { dst: '10.244.41.0/24', gateway: '198.51.100.7', oif: veth0 } }, // not on-link: refused
      { route: { dst: '10.244.42.0/24', gateway: B, oif: veth0 } },
    ];
    const results = await runner.call<(object | null)[]>('replaceInOrder', changes);
    expect(results[0]).toBeNull();
    expect(results[1]).toMatchObject({ code: 'ENETUNREACH', syscall: 'netlink', message: expect.stringMatching(/^replacing route 10\.244\.41\.0\/24 via 198\.51\.100\.7 dev veth0: /) });
    expect(results[2]).toBeNull();
    expect(await ipRoutes(['root', '10.244.40.0/22'])).toEqual([
      route({ dst: '10.244.40.0/24', gateway: A, oif: veth0 }),
      route({ dst: '10.244.42.0/24', gateway: B, oif: veth0 }),
    ]);
    // A malformed change is refused before any is sent.
    const refused = await runner.failure('replaceInOrder', [{ route: { dst: '10.244.43.0/24', gateway: A } }, { route: { dst: '10.244.44.0/33', gateway: A } }]);
    expect(refused.name).toBe('TypeError');
    expect(await ipRoutes(['10.244.43.0/24'])).toEqual([]);
  });

  test('delete removes the /24 and leaves the /25 to the same network', async () => {
    await runner.call('addRoute', { dst: '10.244.5.0/24', gateway: A, oif: veth0 });
    await runner.call('addRoute', { dst: '10.244.5.0/25', gateway: B, oif: veth0 });
    await runner.call('deleteRoute', { dst: '10.244.5.0/24', gateway: A, oif: veth0 });
    expect(await ipRoutes(['root', '10.244.5.0/24'])).toEqual([route({ dst: '10.244.5.0/25', gateway: B, oif: veth0 })]);
  });

  test('delete picks the route with the given gateway among routes to the same prefix', async () => {
    await ip(ns, ['route', 'append', '10.244.6.0/24', 'via', A, 'dev', 'veth0']);
    await ip(ns, ['route', 'append', '10.244.6.0/24', 'via', B, 'dev', 'veth0']);
    const listed = (await runner.call<RouteInfo[]>('listRoutes')).filter((route) => route.dst === '10.244.6.0/24');
    expect(listed.map((route) => route.gateway).sort()).toEqual([A, B]);

    const wrong = await runner.failure('deleteRoute', { dst: '10.244.6.0/24', gateway: '192.0.2.99' });
    expect(wrong).toMatchObject({ code: 'ESRCH', syscall: 'netlink', message: 'deleting route 10.244.6.0/24 via 192.0.2.99: No such process' });
    expect(await ipJson<IpRoute[]>(ns, ['route', 'show', '10.244.6.0/24'])).toHaveLength(2);

    await runner.call('deleteRoute', { dst: '10.244.6.0/24', gateway: B });
    expect(await ipRoutes(['10.244.6.0/24'])).toEqual([route({ dst: '10.244.6.0/24', gateway: A, oif: veth0 })]);
  });

  test('deleting an absent route fails with ESRCH', async () => {
    expect(await runner.failure('deleteRoute', { dst: '10.250.0.0/16' })).toMatchObject({
      code: 'ESRCH', errno: -3, syscall: 'netlink', message: 'deleting route 10.250.0.0/16: No such process',
    });
  });

  test('an unreachable gateway fails with ENETUNREACH and the kernel\'s reason', async () => {
    const error = await runner.failure('addRoute', { dst: '10.244.9.0/24', gateway: '203.0.113.1' });
    expect(error.code).toBe('ENETUNREACH');
    expect(error.errno).toBe(-101);
    expect(error.message).toMatch(/^adding route 10\.244\.9\.0\/24 via 203\.0\.113\.1: Network is unreachable/);
  });

  test('onlink, metric, another table, a device route and the default route', async () => {
    await runner.call('addRoute', { dst: '10.244.7.0/24', gateway: '198.51.100.7', oif: veth0, onlink: true });
    await runner.call('addRoute', { dst: '10.244.8.0/24', gateway: A, priority: 50 });
    await runner.call('addRoute', { dst: '10.244.8.0/24', gateway: B, priority: 60 });
    await runner.call('addRoute', { dst: '10.244.10.0/24', oif: veth0 });
    await runner.call('addRoute', { dst: '0.0.0.0/0', gateway: A });
    await runner.call('addRoute', { dst: '10.244.11.0/24', gateway: A, table: 100, protocol: 4 });

    const listed = await runner.call<RouteInfo[]>('listRoutes');
    expect(listed).toContainEqual(expect.objectContaining({ dst: '10.244.7.0/24', gateway: '198.51.100.7', onlink: true }));
    expect(listed.filter((route) => route.dst === '10.244.8.0/24').map((route) => [route.gateway, route.priority])).toEqual([
      [A, 50],
      [B, 60],
    ]);
    expect(listed).toContainEqual(expect.objectContaining({ dst: '10.244.10.0/24', oif: veth0, scope: 253 }));
    expect(listed).toContainEqual(expect.objectContaining({ dst: '0.0.0.0/0', gateway: A, scope: 0 }));
    expect(listed.find((route) => route.dst === '10.244.11.0/24')).toBeUndefined();
    expect(await runner.call<RouteInfo[]>('listRoutes', { table: 100 })).toEqual([
      { dst: '10.244.11.0/24', gateway: A, oif: veth0, table: 100, protocol: 4, scope: 0, type: 1, onlink: false, multipath: false },
    ]);
    expect((await runner.call<RouteInfo[]>('listRoutes', { table: 0 })).some((route) => route.table === 255)).toBe(true);

    // Deleting with a metric removes that one only.
    await runner.call('deleteRoute', { dst: '10.244.8.0/24', priority: 60 });
    expect((await ipRoutes(['10.244.8.0/24'])).map((route) => route.priority)).toEqual([50]);
    await runner.call('deleteRoute', { dst: '0.0.0.0/0' });
  });

  test('eachRoute lists what `ip -j route` shows, over three pages, for one table or all', async () => {
    // More routes than three pages of the addon's 256, in the main table and in table 100.
    const commands: string[] = [];
    for (let i = 0; i < 700; i++) commands.push(`route add 10.246.${i >> 8}.${i & 255}/32 via ${A} dev veth0${i % 7 === 0 ? ' table 100' : ''}`);
    await ipBatch(ns, commands);
    const everyTable = async () => (await ipRoutes(['table', 'all'])).sort(byDst);
    for (const [table, shown] of [[undefined, () => ipRoutes()], [100, () => ipRoutes(['table', '100'])], [0, everyTable]] as const) {
      const args = table === undefined ? [] : [{ table }]; // JSON has no undefined
      const listed = (await runner.call<RouteInfo[]>('eachRoute', ...args)).map(normalize).sort(byDst);
      expect(listed.length).toBeGreaterThan(table === 100 ? 100 : 600);
      expect(listed).toEqual((await shown()).sort(byDst));
    }
    // A listing left half-way leaves the next one whole.
    expect(await runner.call<RouteInfo[]>('firstRoutes', 300)).toHaveLength(300);
    expect((await runner.call<RouteInfo[]>('listRoutes', { table: 0 })).map(normalize).sort(byDst)).toEqual(await everyTable());
    expect(await runner.failure('eachRoute', { table: -1 })).toMatchObject({ name: 'TypeError', message: 'netlink: table must be an integer from 0 to 4294967295, got -1' });
    await ipBatch(ns, commands.map((command) => command.replace('route add', 'route del')));
  });

  test('listRoutes matches `ip -j route` field for field, in the main table and in all', async () => {
    const listed = (await runner.call<RouteInfo[]>('listRoutes')).map(normalize).sort(byDst);
    const shown = (await ipRoutes()).sort(byDst);
    expect(shown.length).toBeGreaterThan(5);
    expect(listed).toEqual(shown);
    const everyTable = (await runner.call<RouteInfo[]>('listRoutes', { table: 0 })).map(normalize).sort(byDst);
    expect(everyTable).toEqual((await ipRoutes(['table', 'all'])).sort(byDst));
  });

  test('getRouteTo answers like `ip route get`', async () => {
    expect(await runner.call<RouteInfo>('getRouteTo', '10.244.3.7')).toMatchObject({
      dst: '10.244.3.7/32', gateway: B, oif: veth0, prefsrc: '192.0.2.1', table: 254, type: 1,
    });
    const onLink = await runner.call<RouteInfo>('getRouteTo', '192.0.2.50');
    expect(onLink).toMatchObject({ dst: '192.0.2.50/32', oif: veth0, prefsrc: '192.0.2.1' });
    expect(onLink.gateway).toBeUndefined();
    const [shown] = await ipJson<{ dst: string; gateway?: string; dev: string; prefsrc: string }[]>(ns, ['route', 'get', '10.244.3.7']);
    expect(shown).toMatchObject({ dst: '10.244.3.7', gateway: B, dev: 'veth0', prefsrc: '192.0.2.1' });
    expect((await runner.call<RouteInfo>('getRouteTo', '192.0.2.1')).type).toBe(2); // RTN_LOCAL
  });

  test('getRouteTo with no route fails with ENETUNREACH', async () => {
    expect(await runner.failure('getRouteTo', '203.0.113.5')).toEqual({
      name: 'Error', code: 'ENETUNREACH', errno: -101, syscall: 'netlink',
      message: 'looking up the route to 203.0.113.5: Network is unreachable',
    });
  });

  test('a wrong call fails before the kernel, naming the field', async () => {
    expect(await runner.failure('addRoute', { dst: '10.244.3.1/24', gateway: A })).toMatchObject({
      name: 'TypeError', message: expect.stringContaining('"10.244.3.0/24"'),
    });
    expect(await runner.failure('addRoute', { dst: '10.244.3.0/24', gateway: '192.0.2' })).toMatchObject({
      name: 'TypeError', message: expect.stringContaining('route gateway'),
    });
    expect(await runner.failure('addRoute', { dst: '10.244.3.0/24' })).toMatchObject({
      name: 'TypeError', message: expect.stringContaining('needs a gateway or an oif'),
    });
  });

  test('a dump of 2,000 routes is complete', async () => {
    const commands = Array.from({ length: 2000 }, (_, i) => `route add 10.${100 + (i >> 8)}.${i & 255}.0/24 via ${A}`);
    await ipBatch(ns, commands);
    const listed = await runner.call<RouteInfo[]>('listRoutes');
    const bulk = listed.filter((route) => /^10\.1\d\d\./.test(route.dst));
    expect(bulk).toHaveLength(2000);
    expect(new Set(bulk.map((route) => route.dst)).size).toBe(2000);
    expect(listed.map(normalize).sort(byDst)).toEqual((await ipRoutes()).sort(byDst));
    for (let i = 0; i < 2000; i += 400) {
      await runner.call('deleteRoute', { dst: `10.${100 + (i >> 8)}.${i & 255}.0/24`, gateway: A });
    }
    expect((await runner.call<RouteInfo[]>('listRoutes')).filter((route) => /^10\.1\d\d\./.test(route.dst))).toHaveLength(1995);
  });
});
