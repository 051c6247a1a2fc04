import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { HANG_GUARD_MS, waitFor } from '@flannel-ts/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { NetlinkEvent } from '../src/index.js';
import { ip, ipBatch, netlinkRoot, NetnsRunner, repoRoot, startVethNamespace, type VethNamespace } from './helpers.js';

const A = '192.0.2.12';
const THREAD = 'netlink-events';

describe('subscribe', () => {
  let ns: string;
  let runner: NetnsRunner;
  let veth0: number;

  let fixture: VethNamespace | undefined;

  beforeAll(async () => {
    fixture = await startVethNamespace();
    ({ ns, runner, veth0 } = fixture);
  });

  afterAll(async () => {
    await fixture?.dispose();
  });

  /** Targets of the descriptors in `after` that were not open (to the same thing) in `before`. */
  const opened = (before: Record<string, string>, after: Record<string, string>): string[] =>
    Object.entries(after)
      .flatMap(([fd, target]) => (before[fd] === target ? [] : [target]))
      .sort();

  /** What a descriptor refers to, without its close-on-exec mark. */
  const identity = (described: string): string => described.replace(/ cloexec$/, '');

  const routeEvent = (sub: number, action: 'new' | 'del', dst: string) => () =>
    runner.events<NetlinkEvent>(sub).find((event) => event.kind === 'route' && event.action === action && event.route.dst === dst);

  test('sees a route added by `ip route add`, then its deletion', async () => {
    const sub = await runner.call<number>('subscribe', ['route']);
    await ip(ns, ['route', 'add', '10.244.20.0/24', 'via', A]);
    const added = await waitFor(routeEvent(sub, 'new', '10.244.20.0/24'), { what: 'the route event' });
    expect(added).toEqual({
      kind: 'route',
      action: 'new',
      route: { dst: '10.244.20.0/24', gateway: A, oif: veth0, table: 254, protocol: 3, scope: 0, type: 1, onlink: false, multipath: false },
    });
    await ip(ns, ['route', 'del', '10.244.20.0/24']);
    await waitFor(routeEvent(sub, 'del', '10.244.20.0/24'), { what: 'the route deletion event' });
    await runner.call('closeSubscription', sub);
  });

  test('with deletionsOnly, sees deletions of links, addresses, routes and neighbours, and nothing else', async () => {
    const sub = await runner.call<number>('subscribe', ['link', 'addr', 'route', 'neigh'], { deletionsOnly: true });
    const all = await runner.call<number>('subscribe', ['link', 'addr', 'route', 'neigh']);
    try {
      await ipBatch(ns, [
        'link add dl0 type veth peer name dl1',
        'address add 198.51.100.1/24 dev dl0',
        'route add 10.244.21.0/24 via 192.0.2.13',
        'neigh replace 192.0.2.99 lladdr 0a:00:00:00:00:99 dev veth0 nud permanent',
        'neigh del 192.0.2.99 dev veth0',
        'route del 10.244.21.0/24',
        'address del 198.51.100.1/24 dev dl0',
        'link del dl0',
      ]);
      // Every notification reached the plain subscription, the last one too, so the filtered one has
      // had its chance at all of them.
      await waitFor(() => runner.events<NetlinkEvent>(all).find((e) => e.kind === 'link' && e.action === 'del' && e.link.name === 'dl1'), {
        what: 'the link deletion on the plain subscription',
      });
      await waitFor(() => runner.events<NetlinkEvent>(sub).find((e) => e.kind === 'link' && e.action === 'del' && e.link.name === 'dl1'), {
        what: 'the link deletion on the filtered subscription',
      });
      const seen = runner.events<NetlinkEvent>(sub);
      expect(seen.filter((e) => e.kind === 'overflow' || e.kind === 'error')).toEqual([]);
      expect(seen.filter((e) => e.kind !== 'overflow' && e.kind !== 'error' && e.action !== 'del')).toEqual([]);
      expect(new Set(seen.map((e) => e.kind))).toEqual(new Set(['link', 'addr', 'route', 'neigh']));
      expect(runner.events<NetlinkEvent>(all).filter((e) => e.kind !== 'overflow' && e.kind !== 'error' && e.action === 'new').length).toBeGreaterThan(0);
    } finally {
      await runner.call('closeSubscription', sub);
      await runner.call('closeSubscription', all);
    }
  });

  test('close() joins the listener thread and closes both descriptors', async () => {
    await runner.call('descriptors');
    const fdsBefore = await runner.call<Record<string, string>>('descriptors');
    const threadsBefore = await runner.call<string[]>('threadNames');
    expect(threadsBefore).not.toContain(THREAD);

    const sub = await runner.call<number>('subscribe', ['route', 'link']);
    const threadsOpen = await runner.call<string[]>('threadNames');
    expect(threadsOpen.filter((name) => name === THREAD)).toHaveLength(1);
    expect(threadsOpen).toHaveLength(threadsBefore.length + 1);
    const added = opened(fdsBefore, await runner.call<Record<string, string>>('descriptors'));
    expect(added).toEqual([expect.stringMatching(/^anon_inode:\[eventfd\] \d+ cloexec$/), expect.stringMatching(/^socket:\[\d+\] cloexec$/)]);

    expect(await runner.call('closeSubscription', sub)).toBe(true);
    expect(await runner.call<string[]>('threadNames')).toEqual(threadsBefore);
    expect(await runner.call('descriptors')).toEqual(fdsBefore);
  });

  test('its descriptors are close-on-exec: a child process does not inherit them', async () => {
    const fdsBefore = await runner.call<Record<string, string>>('descriptors');
    const sub = await runner.call<number>('subscribe', ['route']);
    const ours = opened(fdsBefore, await runner.call<Record<string, string>>('descriptors')).map(identity);
    expect(ours).toHaveLength(2);
    const inherited = Object.values(await runner.call<Record<string, string>>('childDescriptors')).map(identity);
    expect(inherited.length).toBeGreaterThan(2); // the child's own stdio and event loop
    expect(inherited.filter((target) => ours.includes(target))).toEqual([]);
    await runner.call('closeSubscription', sub);
  });

  test('requests share one socket: hundreds of them, failed ones included, open no other descriptor', async () => {
    await runner.call('listRoutes'); // opens the thread's request socket
    const fdsBefore = await runner.call<Record<string, string>>('descriptors');
    for (let i = 0; i < 100; i++) await runner.call('listRoutes');
    for (let i = 0; i < 50; i++) {
      await runner.call('addRoute', { dst: `10.244.${100 + i}.0/24`, gateway: A });
      await runner.failure('addRoute', { dst: `10.244.${100 + i}.0/24`, gateway: A });
      await runner.failure('getRouteTo', '203.0.113.9');
    }
    expect(await runner.call('descriptors')).toEqual(fdsBefore);
  });

  test('close() from inside the handler stops delivery at once', async () => {
    const threadsBefore = await runner.call<string[]>('threadNames');
    const sub = await runner.call<number>('subscribe', ['route'], { closeOnFirstEvent: true });
    // A second subscription sees the same changes: once it has all three, so would the first have.
    const witness = await runner.call<number>('subscribe', ['route']);
    await ipBatch(ns, ['route add 10.244.30.0/24 via 192.0.2.12', 'route add 10.244.31.0/24 via 192.0.2.12', 'route add 10.244.32.0/24 via 192.0.2.12']);
    await waitFor(() => runner.notices.some((notice) => notice.sub === sub && notice.closedInCallback), { what: 'the close' });
    await waitFor(() => runner.events<NetlinkEvent>(witness).filter((e) => e.kind === 'route' && e.route.dst.startsWith('10.244.3')).length === 3, {
      what: 'the witness subscription to see the three routes',
    });
    await runner.call('closeSubscription', witness);
    expect(runner.events(sub)).toHaveLength(1);
    expect(await runner.call<string[]>('threadNames')).toEqual(threadsBefore);
  });

  test('a burst of 1,000 route changes arrives complete and in order', async () => {
    const sub = await runner.call<number>('subscribe', ['route']);
    const dsts = Array.from({ length: 1000 }, (_, i) => `10.${200 + (i >> 8)}.${i & 255}.0/24`);
    await ipBatch(ns, dsts.map((dst) => `route add ${dst} via ${A}`));
    const routeDsts = (): string[] =>
      runner.events<NetlinkEvent>(sub).flatMap((event) => (event.kind === 'route' && event.action === 'new' ? [event.route.dst] : []));
    await waitFor(() => routeDsts().length >= 1000, { what: '1,000 route events' });
    expect(runner.events<NetlinkEvent>(sub).filter((event) => event.kind === 'overflow')).toEqual([]);
    expect(routeDsts()).toEqual(dsts);
    await runner.call('closeSubscription', sub);
  });

  test('reports links, addresses and neighbours', async () => {
    const sub = await runner.call<number>('subscribe', ['link', 'addr', 'neigh']);
    await ipBatch(ns, [
      'link add veth2 type veth peer name veth3',
      'addr add 198.51.100.1/24 dev veth2',
      'neigh add 192.0.2.77 lladdr 0a:00:00:00:00:77 dev veth0 nud permanent',
      'link del veth2',
    ]);
    const events = (): NetlinkEvent[] => runner.events<NetlinkEvent>(sub);
    await waitFor(() => events().some((event) => event.kind === 'link' && event.action === 'del' && event.link.name === 'veth2'), {
      what: 'the link deletion',
    });
    expect(events()).toContainEqual(expect.objectContaining({ kind: 'link', action: 'new', link: expect.objectContaining({ name: 'veth2', kind: 'veth' }) }));
    expect(events()).toContainEqual(expect.objectContaining({ kind: 'addr', action: 'new', addr: expect.objectContaining({ address: '198.51.100.1', prefixLen: 24 }) }));
    expect(events()).toContainEqual({
      kind: 'neigh',
      action: 'new',
      neigh: { index: veth0, family: 'inet', ip: '192.0.2.77', mac: '0a:00:00:00:00:77', state: 0x80, flags: 0 },
    });
    expect(events().some((event) => event.kind === 'route')).toBe(false);
    await runner.call('closeSubscription', sub);
  });

  describe('process lifetime', () => {
    /** Runs the fixture in the namespace; returns ms from "subscribed" to exit, and its output. */
    async function lifetime(mode: string): Promise<{ ms: number; lines: string[]; code: number | null }> {
      const script = resolve(netlinkRoot, 'test/fixtures/subscription-lifetime.ts');
      const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', script, mode], { cwd: repoRoot });
      const lines: string[] = [];
      let subscribedAt = 0;
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line === 'subscribed') subscribedAt = Date.now();
        lines.push(line);
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), HANG_GUARD_MS);
      const [code] = (await once(child, 'exit')) as [number | null];
      clearTimeout(timer);
      return { ms: Date.now() - subscribedAt, lines, code };
    }

    test('a subscription keeps the process alive until closed', async () => {
      const { ms, lines, code } = await lifetime('ref');
      expect(lines).toEqual(['subscribed', 'closed=true']);
      expect(code).toBe(0);
      expect(ms).toBeGreaterThanOrEqual(900);
    });

    test('aborting its signal closes it', async () => {
      const { ms, lines, code } = await lifetime('abort');
      expect(lines).toEqual(['subscribed', 'closed=true']);
      expect(code).toBe(0);
      expect(ms).toBeGreaterThanOrEqual(900);
    });

    test('an unref\'d subscription lets the process exit, its thread stopped cleanly', async () => {
      const { lines, code } = await lifetime('unref');
      // Exited before its 1 s timer could print "closed=": the subscription did not hold it.
      expect(lines).toEqual(['subscribed']);
      expect(code).toBe(0);
    });
  });
});
