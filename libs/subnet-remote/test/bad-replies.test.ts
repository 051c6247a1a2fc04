// The client against a scripted stand-in for the flanneld server on loopback: only the stand-in can
// answer badly or vanish on cue. The real server is in remote.test.ts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseIP4, parseIP4Net } from '@flannel-ts/ip';
import { LeaseKeeper, LeaseWatcher, type Lease, type LeaseEvent, type NetworkChange } from '@flannel-ts/subnet';
import { waitFor } from '@flannel-ts/testing';
import { RemoteNetworkRegistry, RemoteSubnetManager, ServerTransport } from '../src/index.js';

type Handler = (req: http.IncomingMessage) => { status?: number; body: string } | 'hang' | 'reset';

interface StandIn {
  readonly address: string;
  handle: Handler;
  readonly requests: string[];
  /** Ends every long-poll held open, as a dying server does. */
  dropHanging(): void;
  close(): Promise<void>;
}

async function standIn(handle: Handler): Promise<StandIn> {
  const hanging = new Set<http.ServerResponse>();
  const s: StandIn = {
    address: '',
    handle,
    requests: [],
    dropHanging: () => {
      for (const res of hanging) res.socket?.destroy();
      hanging.clear();
    },
    close: () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    s.requests.push(`${req.method} ${req.url}`);
    const answer = s.handle(req);
    if (answer === 'hang') {
      hanging.add(res);
      return;
    }
    if (answer === 'reset') {
      req.socket.destroy();
      return;
    }
    res.writeHead(answer.status ?? 200, { 'Content-Type': 'application/json; charset=utf-8' }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (s as { address: string }).address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return s;
}

function memoryLogger(): { log: Logger; lines: () => string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line).msg);
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines: () => lines };
}

const LEASE = '{"Subnet":"10.5.1.0/24","Attrs":{"PublicIP":"192.0.2.11","PublicIPv6":null},"Expiration":"2030-01-02T03:04:05.123456789Z"}';
const listing = (leases: string[], cursor = '"7"') => `{"events":null,"snapshot":[${leases.join(',')}],"cursor":${cursor}}\n`;

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function client(s: StandIn) {
  const { log, lines } = memoryLogger();
  const transport = await ServerTransport.create({ remote: s.address }, log);
  const manager = new RemoteSubnetManager(transport);
  cleanup.push(() => manager.close());
  return { manager, lines, log };
}

describe('RemoteSubnetManager against bad replies', () => {
  it('reads leases and their expiration', async () => {
    const s = await standIn(() => ({ body: listing([LEASE]) }));
    cleanup.push(() => s.close());
    const { manager } = await client(s);
    const got = await manager.listLeases();
    expect(got.revision).toBe('7');
    expect(got.leases).toEqual([
      {
        subnet: parseIP4Net('10.5.1.0/24'),
        attrs: { publicIp: parseIP4('192.0.2.11') },
        etcdLeaseId: 'remote',
        modRevision: '',
        value: '{"PublicIP":"192.0.2.11","PublicIPv6":null}',
        expiration: Date.parse('2030-01-02T03:04:05.123Z'),
      },
    ]);
    expect(s.requests).toEqual(['GET /v1/_/leases']);
  });

  it.each([
    ['not JSON', '{"events":', /^bad reply from GET http:\/\/127\.0\.0\.1:\d+\/v1\/_\/leases: not JSON: /],
    ['a number cursor', listing([], '7'), /^bad reply from http:\/\/127\.0\.0\.1:\d+\/v1\/_\/leases: watch returned non-string cursor$/],
    ['a lease without Subnet', listing(['{"Attrs":{"PublicIP":"192.0.2.11"}}']), /^bad reply from http:\/\/127\.0\.0\.1:\d+\/v1\/_\/leases: bad Subnet null$/],
  ])('names the URL and the problem for %s', async (_what, body, message) => {
    const s = await standIn(() => ({ body }));
    cleanup.push(() => s.close());
    const { manager } = await client(s);
    await expect(manager.listLeases()).rejects.toThrow(message);
  });

  it('maps a 404 on renewal to "lost" and any other status to an error with its status line and body', async () => {
    const s = await standIn(() => ({ status: 404, body: 'lease not found\n' }));
    cleanup.push(() => s.close());
    const { manager } = await client(s);
    const held = { subnet: parseIP4Net('10.5.1.0/24'), attrs: { publicIp: parseIP4('192.0.2.11') }, etcdLeaseId: 'remote', modRevision: '', value: '' };
    expect(await manager.renewLease(held)).toBe(0);
    expect(s.requests.at(-1)).toBe('PUT /v1/_/leases/10.5.1.0-24');
    s.handle = () => ({ status: 500, body: 'etcd is down\n' });
    await expect(manager.renewLease(held)).rejects.toThrow(/^PUT http:\/\/127\.0\.0\.1:\d+\/v1\/_\/leases\/10\.5\.1\.0-24: 500 Internal Server Error: etcd is down$/);
  });

  it('says once that the server is away and once that it is back, then re-lists and applies the difference', async () => {
    let leases = [LEASE];
    let away = false;
    const s = await standIn((req) => {
      if (away) return 'reset';
      if (req.url?.includes('next=')) return 'hang';
      return { body: listing(leases) };
    });
    cleanup.push(() => s.close());
    const { manager, lines, log } = await client(s);
    const seen: LeaseEvent[] = [];
    const watcher = new LeaseWatcher(manager, (events) => seen.push(...events), log);
    const stop = new AbortController();
    const running = watcher.run(stop.signal);
    cleanup.push(async () => {
      stop.abort();
      await running;
    });
    await waitFor(() => seen.length === 1 && s.requests.some((r) => r.includes('next=7')), { what: 'the listing and the long-poll' });
    away = true;
    leases = [LEASE.replace('10.5.1.0', '10.5.2.0')];
    s.dropHanging();
    // Several probes fail while it is away (how many depends on the machine's speed).
    await waitFor(() => s.requests.filter((r) => r === 'GET /v1/_/leases').length >= 4, { what: 'probes while away' });
    away = false;
    await waitFor(() => seen.length === 3, { what: 'the difference after the re-list' });
    expect(seen.slice(1).map((e) => e.type).sort()).toEqual(['added', 'removed']);
    const outage = lines().filter((l) => /flannel server|^Watch/.test(l));
    expect(outage).toHaveLength(3);
    expect(outage[0]).toMatch(/^Cannot reach the flannel server at http:\/\/127\.0\.0\.1:\d+\/v1: GET http:\/\/127\.0\.0\.1:\d+\/v1\/_\/leases\?next=7: socket hang up; retrying$/);
    expect(outage[1]).toMatch(/^The flannel server at http:\/\/127\.0\.0\.1:\d+\/v1 answers again$/);
    expect(outage[2]).toMatch(/^Watch of http:\/\/.*\/v1\/_\/leases interrupted \(.*socket hang up\); re-listing subnet leases$/);
  });

  it("renews on the server's clock (a 3 s lease for a client whose own TTL is a day) and re-acquires after a 404", async () => {
    let expiresIn = 3_000;
    let known = true;
    const lease = (subnet: string) =>
      `{"Subnet":"${subnet}","Attrs":{"PublicIP":"192.0.2.11","PublicIPv6":null},"Expiration":"${new Date(Date.now() + expiresIn).toISOString()}"}\n`;
    const s = await standIn((req) => {
      if (req.method === 'POST') {
        known = true;
        return { body: lease('10.5.3.0/24') };
      }
      if (req.method === 'PUT') return known ? { body: lease('10.5.3.0/24') } : { status: 404, body: 'no such lease\n' };
      return 'hang';
    });
    cleanup.push(() => s.close());
    const { manager, lines, log } = await client(s);
    const changes: Lease[] = [];
    const keeper = new LeaseKeeper({
      manager,
      range: { network: parseIP4Net('10.5.0.0/16'), subnetLen: 24, subnetMin: parseIP4('10.5.1.0'), subnetMax: parseIP4('10.5.255.0') },
      attrs: { publicIp: parseIP4('192.0.2.11') },
      ttlMs: 24 * 3600_000,
      renewMarginMs: 3600_000,
      log,
      retryMs: 100,
      onLeaseChanged: async (l) => void changes.push(l),
    });
    const stop = new AbortController();
    const first = await keeper.acquire(stop.signal);
    expect(first.expiration).toBeGreaterThan(Date.now());
    const running = keeper.run(stop.signal);
    cleanup.push(async () => {
      stop.abort();
      await running;
    });
    // A margin of an hour on a 3 s lease would renew in a loop; scaled to the lease it renews every few seconds.
    await waitFor(() => lines().filter((l) => l.startsWith('Lease renewed')).length >= 2, { what: 'two renewals' });
    // Each renewal waits for the next margin: a few PUTs, not a loop of hundreds.
    expect(s.requests.filter((r) => r.startsWith('PUT')).length).toBeLessThan(10);
    known = false;
    expiresIn = 3_600_000;
    await waitFor(() => changes.length === 1, { what: 'the lost lease to be acquired again' });
    expect(lines()).toContain('Lease 10.5.3.0/24 lost: the lease store no longer has 10.5.3.0/24 for us; re-acquiring');
    expect(s.requests.filter((r) => r.startsWith('POST'))).toHaveLength(2);
  });

  it('lists and watches networks (GET /v1/) and reaches each network under its own path', async () => {
    const s = await standIn((req) => {
      if (req.url === '/v1/') return { body: '{"events":null,"snapshot":["blue","green"],"cursor":"12"}\n' };
      if (req.url === '/v1/?next=12') {
        return { body: '{"events":[{"type":"added","lease":{"Subnet":"0.0.0.0/0","Attrs":null,"Expiration":"0001-01-01T00:00:00Z"},"network":"red"}],"snapshot":null,"cursor":"15"}\n' };
      }
      if (req.url === '/v1/red/leases') return { body: listing([LEASE], '"15"') };
      return 'hang';
    });
    cleanup.push(() => s.close());
    const { log } = memoryLogger();
    const registry = new RemoteNetworkRegistry(await ServerTransport.create({ remote: s.address }, log));
    cleanup.push(() => registry.close());
    expect(await registry.listNetworks()).toEqual({ names: ['blue', 'green'], revision: '12' });
    const changes: Array<{ changes: NetworkChange[]; revision: string }> = [];
    const handle = await registry.watchNetworks('13', { onChanges: (c, revision) => changes.push({ changes: c, revision }), onStopped: () => undefined });
    cleanup.push(() => handle.cancel());
    await waitFor(() => changes.length === 1, { what: 'the network event' });
    expect(changes).toEqual([{ changes: [{ type: 'added', name: 'red' }], revision: '15' }]);
    const red = registry.managerFor('red');
    expect(red.prefix).toBe(`http://${s.address}/v1/red`);
    expect((await red.listLeases()).leases).toHaveLength(1);
    await waitFor(() => s.requests.includes('GET /v1/?next=15'), { what: 'the watch to go on from the new cursor' });
    expect([...s.requests].sort()).toEqual(['GET /v1/', 'GET /v1/?next=12', 'GET /v1/?next=15', 'GET /v1/red/leases']);
  });
});
