import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEtcd, waitFor, type EtcdServer } from '@flannel-ts/testing';
import { EtcdLeaseRegistry } from '@flannel-ts/subnet';
import { etcdServedNetworks, startLeaseServer, type LeaseServer, type ServedNetworks } from '../src/index.js';
import { request, type Reply } from './http-client.js';

const PREFIX = '/coreos.com/network';
const CONFIG = '{"Network":"10.1.0.0/16","Backend":{"Type":"vxlan"}}';
const TTL = 3600;
const JSON_TYPE = 'application/json; charset=utf-8';
const VTEP = '{"VtepMAC":"5a:1f:0c:2e:33:9b"}';
const TIME = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z`;

let etcd: EtcdServer;
let registry: EtcdLeaseRegistry;
let networks: ServedNetworks;
let server: LeaseServer;
let lines: string[];

function memoryLogger(): { log: Logger; lines: string[] } {
  const out: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) out.push(JSON.parse(line).msg);
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines: out };
}

async function start(historyLimit?: number): Promise<LeaseServer> {
  const logger = memoryLogger();
  lines = logger.lines;
  return startLeaseServer({
    listen: '127.0.0.1:0',
    tls: { caFile: '', certFile: '', keyFile: '' },
    networks,
    ttlSeconds: TTL,
    log: logger.log,
    ...(historyLimit ? { historyLimit } : {}),
  });
}

const call = (method: string, path: string, body?: string, signal?: AbortSignal): Promise<Reply> =>
  request(server.address, method, path, { ...(body === undefined ? {} : { body }), ...(signal ? { signal } : {}) });

const put = (subnet: string, value: string) => etcd.etcdctl(['put', `${PREFIX}/subnets/${subnet}`, value]);
const get = async (subnet: string) => (await etcd.etcdctl(['get', `${PREFIX}/subnets/${subnet}`, '--print-value-only'])).trim();

/** Watchers etcd has open (its own metric), to see that readers share one watch. */
async function etcdWatchers(): Promise<number> {
  const text = await (await fetch(`${etcd.endpoint}/metrics`)).text();
  return Number(/^etcd_debugging_mvcc_watcher_total (\d+)/m.exec(text)?.[1]);
}

beforeAll(async () => {
  etcd = await startEtcd();
  registry = await EtcdLeaseRegistry.connect({ endpoints: [etcd.endpoint], prefix: PREFIX });
  networks = etcdServedNetworks(registry);
});
afterAll(async () => {
  await server?.close();
  registry?.close();
  await etcd?.dispose();
});
beforeEach(async () => {
  await server?.close();
  await etcd.etcdctl(['del', '--prefix', '/']);
  await etcd.etcdctl(['put', `${PREFIX}/config`, CONFIG]);
  server = await start();
});

describe('lease server: config and leases', () => {
  it('serves the defaulted config as Go encoding/json writes it', async () => {
    const reply = await call('GET', '/v1/_/config');
    expect(reply).toEqual({
      status: 200,
      type: JSON_TYPE,
      body: '{"Network":"10.1.0.0/16","SubnetMin":"10.1.1.0","SubnetMax":"10.1.255.0","SubnetLen":24,"Backend":{"Type":"vxlan"}}\n',
    });
    expect(lines).toContain('GET /v1/_/config - 200');
  });

  it('answers a missing config with a one-line 500', async () => {
    await etcd.etcdctl(['del', `${PREFIX}/config`]);
    expect(await call('GET', '/v1/_/config')).toMatchObject({ status: 500, body: `no network config at ${PREFIX}/config` });
  });

  it('acquires a lease on POST, reuses it for the same PublicIP, stores Go flanneld v0.20 JSON', async () => {
    const before = Date.now();
    const first = await call('POST', '/v1/_/leases', `{"PublicIP":"192.0.2.11","BackendType":"vxlan","BackendData":${VTEP}}`);
    const after = Date.now();
    expect(first.status).toBe(200);
    expect(first.type).toBe(JSON_TYPE);
    const m = new RegExp(
      String.raw`^\{"Subnet":"10\.1\.(\d+)\.0/24","Attrs":\{"PublicIP":"192\.0\.2\.11","BackendType":"vxlan","BackendData":\{"VtepMAC":"5a:1f:0c:2e:33:9b"\}\},"Expiration":"(${TIME})"\}\n$`,
    ).exec(first.body);
    expect(m, first.body).not.toBeNull();
    const expires = Date.parse(m![2]!);
    expect(expires).toBeGreaterThanOrEqual(before + TTL * 1000 - 1000);
    expect(expires).toBeLessThanOrEqual(after + TTL * 1000 + 1000);
    const key = `10.1.${m![1]}.0-24`;
    expect(await get(key)).toBe(`{"PublicIP":"192.0.2.11","PublicIPv6":null,"BackendType":"vxlan","BackendData":${VTEP}}`);

    const again = await call('POST', '/v1/_/leases', `{"PublicIP":"192.0.2.11","BackendType":"vxlan","BackendData":${VTEP}}`);
    expect(again.body).toContain(`"Subnet":"10.1.${m![1]}.0/24"`);
  });

  it('renews with PUT: same attributes keep the key, new ones rewrite it; a lease the store lost is 404', async () => {
    const lease = JSON.parse((await call('POST', '/v1/_/leases', '{"PublicIP":"192.0.2.12"}')).body) as { Subnet: string };
    const key = lease.Subnet.replace('/', '-');
    const body = `{"Subnet":"${lease.Subnet}","Attrs":{"PublicIP":"192.0.2.12"},"Expiration":"0001-01-01T00:00:00Z"}`;
    const renewed = await call('PUT', `/v1/_/leases/${key}`, body);
    expect(renewed.status).toBe(200);
    expect(renewed.body).toMatch(new RegExp(String.raw`^\{"Subnet":"${lease.Subnet}","Attrs":\{"PublicIP":"192\.0\.2\.12"\},"Expiration":"${TIME}"\}\n$`));
    expect(Date.parse(JSON.parse(renewed.body).Expiration)).toBeGreaterThan(Date.now() + (TTL - 60) * 1000);

    const changed = await call('PUT', `/v1/_/leases/${key}`, body.replace('{"PublicIP":"192.0.2.12"}', '{"PublicIP":"192.0.2.12","BackendType":"host-gw"}'));
    expect(changed.status).toBe(200);
    expect(await get(key)).toBe('{"PublicIP":"192.0.2.12","PublicIPv6":null,"BackendType":"host-gw"}');

    const other = await call('PUT', `/v1/_/leases/${key}`, body.replace('192.0.2.12', '192.0.2.99'));
    expect(other).toMatchObject({ status: 404, body: `no lease ${lease.Subnet} for 192.0.2.99 in the store` });
    await etcd.etcdctl(['del', `${PREFIX}/subnets/${key}`]);
    expect((await call('PUT', `/v1/_/leases/${key}`, body)).status).toBe(404);
  });

  it('revokes with DELETE: empty 200, then 404', async () => {
    await put('10.1.7.0-24', '{"PublicIP":"192.0.2.13"}');
    expect(await call('DELETE', '/v1/_/leases/10.1.7.0-24')).toMatchObject({ status: 200, body: '' });
    expect(await get('10.1.7.0-24')).toBe('');
    expect((await call('DELETE', '/v1/_/leases/10.1.7.0-24')).status).toBe(404);
  });

  it('answers bad bodies, subnets and cursors with 400 and the reason', async () => {
    const bad = await call('POST', '/v1/_/leases', '{"PublicIP":');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatch(/^JSON decoding error: body is not JSON: /);
    expect(await call('POST', '/v1/_/leases', '{"PublicIP":"x"}')).toMatchObject({ status: 400, body: 'JSON decoding error: bad PublicIP "x"' });
    expect(await call('PUT', '/v1/_/leases/10.1.7.0-24', '{"Subnet":"nope"}')).toMatchObject({ status: 400, body: 'JSON decoding error: bad Subnet "nope"' });
    expect(await call('DELETE', '/v1/_/leases/10.1.7.0')).toMatchObject({ status: 400, body: 'bad subnet' });
    expect(await call('GET', '/v1/_/leases/10.1.7.5-24?next=1')).toMatchObject({ status: 400, body: 'bad subnet' });
    expect(await call('DELETE', '/v1/_/reservations/x')).toMatchObject({ status: 400, body: 'failed to parse subnet' });
    expect(await call('GET', '/v1/_/leases?next=abc')).toMatchObject({ status: 400, body: 'bad cursor "abc"' });
    expect((await call('GET', '/v2/_/config')).status).toBe(404);
    expect((await call('PATCH', '/v1/_/config')).status).toBe(405);
    expect(lines).toContain('POST /v1/_/leases - 400');
  });
});

describe('lease server: reservations', () => {
  it('adds, lists and removes reservations (keys without TTL)', async () => {
    expect(await call('POST', '/v1/_/reservations', '{"Subnet":"10.1.5.0/24","PublicIP":"192.0.2.9"}')).toMatchObject({ status: 200, body: '' });
    expect(await call('GET', '/v1/_/reservations')).toEqual({ status: 200, type: JSON_TYPE, body: '[{"Subnet":"10.1.5.0/24","PublicIP":"192.0.2.9"}]\n' });
    const lease = async () => /"lease":"?(\d+)/.exec(await etcd.etcdctl(['get', `${PREFIX}/subnets/10.1.5.0-24`, '-w', 'json']))?.[1] ?? '0';
    expect(await lease()).toBe('0');

    // Its host gets it, and it stays TTL-less, with the zero Expiration.
    const taken = await call('POST', '/v1/_/leases', '{"PublicIP":"192.0.2.9"}');
    expect(taken.body).toBe('{"Subnet":"10.1.5.0/24","Attrs":{"PublicIP":"192.0.2.9"},"Expiration":"0001-01-01T00:00:00Z"}\n');

    expect(await call('POST', '/v1/_/reservations', '{"Subnet":"10.1.5.0/24","PublicIP":"192.0.2.8"}')).toMatchObject({
      status: 409,
      body: 'subnet: lease already taken: 10.1.5.0/24 is held by 192.0.2.9',
    });
    expect(await call('POST', '/v1/_/reservations', '{"Subnet":"10.2.5.0/24","PublicIP":"192.0.2.8"}')).toMatchObject({
      status: 400,
      body: 'reservation subnet is outside of flannel network',
    });
    expect(await call('POST', '/v1/_/reservations', '{"Subnet":"10.1.6.0/25","PublicIP":"192.0.2.8"}')).toMatchObject({
      status: 400,
      body: 'reservation subnet has mask incompatible with network config',
    });

    expect(await call('DELETE', '/v1/_/reservations/10.1.5.0-24')).toMatchObject({ status: 200, body: '' });
    expect(await lease()).not.toBe('0');
    expect((await call('GET', '/v1/_/reservations')).body).toBe('[]\n');
    expect((await call('DELETE', '/v1/_/reservations/10.1.99.0-24')).status).toBe(404);
  });
});

describe('lease server: watches', () => {
  const snapshotOf = (reply: Reply) => JSON.parse(reply.body) as { events: null; snapshot: { Subnet: string }[]; cursor: string };

  it('answers a watch without cursor with a snapshot, then long-polls: several events in one reply', async () => {
    await put('10.1.3.0-24', '{"PublicIP":"192.0.2.3","PublicIPv6":null}');
    const first = await call('GET', '/v1/_/leases');
    expect(first.body).toMatch(
      new RegExp(String.raw`^\{"events":null,"snapshot":\[\{"Subnet":"10\.1\.3\.0/24","Attrs":\{"PublicIP":"192\.0\.2\.3"\},"Expiration":"0001-01-01T00:00:00Z"\}\],"cursor":"\d+"\}\n$`),
    );
    const { cursor } = snapshotOf(first);

    const polling = call('GET', `/v1/_/leases?next=${cursor}`);
    await waitFor(() => server.waiting === 1, { what: 'the long-poll to wait' });
    await put('10.1.4.0-24', `{"PublicIP":"192.0.2.4","BackendType":"vxlan","BackendData":${VTEP}}`);
    const reply = await polling;
    expect(reply.type).toBe(JSON_TYPE);
    const m = new RegExp(
      String.raw`^\{"events":\[\{"type":"added","lease":\{"Subnet":"10\.1\.4\.0/24","Attrs":\{"PublicIP":"192\.0\.2\.4","BackendType":"vxlan","BackendData":\{"VtepMAC":"5a:1f:0c:2e:33:9b"\}\},"Expiration":"0001-01-01T00:00:00Z"\}\}\],"snapshot":null,"cursor":"(\d+)"\}\n$`,
    ).exec(reply.body);
    expect(m, reply.body).not.toBeNull();
    expect(BigInt(m![1]!)).toBeGreaterThan(BigInt(cursor));

    // Two changes while nobody polls: both in the next reply, the removal as flannel v0.5 sends it.
    await etcd.etcdctl(['del', `${PREFIX}/subnets/10.1.3.0-24`]);
    await put('10.1.8.0-24', '{"PublicIP":"192.0.2.8"}');
    await waitFor(async () => snapshotOf(await call('GET', '/v1/_/leases')).snapshot.some((l) => l.Subnet === '10.1.8.0/24'), { what: 'the server to see both' });
    const both = JSON.parse((await call('GET', `/v1/_/leases?next=${m![1]}`)).body) as { events: { type: string; lease: unknown }[] };
    expect(both.events).toEqual([
      { type: 'removed', lease: { Subnet: '10.1.3.0/24', Attrs: { PublicIP: '0.0.0.0' }, Expiration: '0001-01-01T00:00:00Z' } },
      { type: 'added', lease: { Subnet: '10.1.8.0/24', Attrs: { PublicIP: '192.0.2.8' }, Expiration: '0001-01-01T00:00:00Z' } },
    ]);
  });

  it('gives leases with a TTL their Expiration, read from etcd', async () => {
    const acquired = JSON.parse((await call('POST', '/v1/_/leases', '{"PublicIP":"192.0.2.21"}')).body) as { Subnet: string; Expiration: string };
    const restarted = await start();
    try {
      const listed = JSON.parse((await request(restarted.address, 'GET', '/v1/_/leases')).body) as { snapshot: { Subnet: string; Expiration: string }[] };
      const mine = listed.snapshot.find((l) => l.Subnet === acquired.Subnet)!;
      expect(Math.abs(Date.parse(mine.Expiration) - Date.parse(acquired.Expiration))).toBeLessThan(60_000);
    } finally {
      await restarted.close();
    }
  });

  it('feeds every reader from one etcd watch, all woken by one change with the same reply', async () => {
    const { cursor } = snapshotOf(await call('GET', '/v1/_/leases'));
    const readers = Array.from({ length: 5 }, () => call('GET', `/v1/_/leases?next=${cursor}`));
    await waitFor(() => server.waiting === 5, { what: 'five long-polls to wait' });
    // The watches of servers closed before this one may take a moment to go.
    await waitFor(async () => (await etcdWatchers()) === 1, { what: 'etcd to count one watcher' });
    await put('10.1.9.0-24', '{"PublicIP":"192.0.2.9"}');
    const replies = await Promise.all(readers);
    expect(new Set(replies.map((r) => r.body)).size).toBe(1);
    expect(replies[0]!.body).toContain('"Subnet":"10.1.9.0/24"');
    expect(await etcdWatchers()).toBe(1);
  });

  it('watches one lease: its snapshot, then only its own changes', async () => {
    await put('10.1.10.0-24', '{"PublicIP":"192.0.2.10"}');
    const one = snapshotOf(await call('GET', '/v1/_/leases/10.1.10.0-24'));
    expect(one.snapshot.map((l) => l.Subnet)).toEqual(['10.1.10.0/24']);
    const polling = call('GET', `/v1/_/leases/10.1.10.0-24?next=${one.cursor}`);
    await waitFor(() => server.waiting === 1, { what: 'the long-poll to wait' });
    await put('10.1.11.0-24', '{"PublicIP":"192.0.2.11"}');
    await put('10.1.10.0-24', '{"PublicIP":"192.0.2.10","BackendType":"host-gw"}');
    const events = (JSON.parse((await polling).body) as { events: { lease: { Subnet: string } }[] }).events;
    expect(events.map((e) => e.lease.Subnet)).toEqual(['10.1.10.0/24']);
  });

  it('answers a cursor older than its history with a snapshot', async () => {
    await server.close();
    server = await start(2);
    const { cursor } = snapshotOf(await call('GET', '/v1/_/leases'));
    for (const n of [12, 13, 14]) await put(`10.1.${n}.0-24`, `{"PublicIP":"192.0.2.${n}"}`);
    await waitFor(async () => snapshotOf(await call('GET', '/v1/_/leases')).snapshot.length === 3, { what: 'three leases' });
    const old = JSON.parse((await call('GET', `/v1/_/leases?next=${cursor}`)).body) as { events: unknown; snapshot: { Subnet: string }[] };
    expect(old.events).toBeNull();
    expect(old.snapshot.map((l) => l.Subnet).sort()).toEqual(['10.1.12.0/24', '10.1.13.0/24', '10.1.14.0/24']);
    expect(snapshotOf(await call('GET', '/v1/_/leases?next=1')).events).toBeNull();
  });

  it('lets a reader leave a long-poll', async () => {
    const { cursor } = snapshotOf(await call('GET', '/v1/_/leases'));
    const leave = new AbortController();
    const polling = call('GET', `/v1/_/leases?next=${cursor}`, undefined, leave.signal).catch(() => 'left');
    await waitFor(() => server.waiting === 1, { what: 'the long-poll to wait' });
    leave.abort();
    expect(await polling).toBe('left');
    await waitFor(() => server.waiting === 0, { what: 'the server to forget the reader' });
  });
});

describe('lease server: networks', () => {
  it('lists the named networks, then long-polls their additions and removals', async () => {
    await etcd.etcdctl(['put', `${PREFIX}/blue/config`, CONFIG]);
    await etcd.etcdctl(['put', `${PREFIX}/green/config`, CONFIG]);
    const first = await call('GET', '/v1/');
    expect(first.type).toBe(JSON_TYPE);
    const m = /^\{"events":null,"snapshot":\["blue","green"\],"cursor":"(\d+)"\}\n$/.exec(first.body);
    expect(m, first.body).not.toBeNull();

    const polling = call('GET', `/v1/?next=${m![1]}`);
    await waitFor(() => server.waiting === 1, { what: 'the long-poll to wait' });
    await etcd.etcdctl(['put', `${PREFIX}/red/config`, CONFIG]);
    const zero = '{"Subnet":"0.0.0.0/0","Attrs":{"PublicIP":"0.0.0.0"},"Expiration":"0001-01-01T00:00:00Z"}';
    const added = await polling;
    expect(added.body).toMatch(new RegExp(`^\\{"events":\\[\\{"type":"added","lease":${zero.replace(/[{}[\].]/g, '\\$&')},"network":"red"\\}\\],"snapshot":null,"cursor":"\\d+"\\}\\n$`));
    const cursor = (JSON.parse(added.body) as { cursor: string }).cursor;
    await etcd.etcdctl(['del', `${PREFIX}/blue/config`]);
    const removed = JSON.parse((await call('GET', `/v1/?next=${cursor}`)).body) as { events: { type: string; network: string }[] };
    expect(removed.events.map((e) => [e.type, e.network])).toEqual([['removed', 'blue']]);
  });

  it("serves a named network's leases under <prefix>/<name>", async () => {
    await etcd.etcdctl(['put', `${PREFIX}/blue/config`, '{"Network":"10.7.0.0/16"}']);
    const lease = await call('POST', '/v1/blue/leases', '{"PublicIP":"192.0.2.30"}');
    const subnet = (JSON.parse(lease.body) as { Subnet: string }).Subnet;
    expect(subnet).toMatch(/^10\.7\.\d+\.0\/24$/);
    const value = await etcd.etcdctl(['get', `${PREFIX}/blue/subnets/${subnet.replace('/', '-')}`, '--print-value-only']);
    expect(value.trim()).toBe('{"PublicIP":"192.0.2.30","PublicIPv6":null}');
    const listed = JSON.parse((await call('GET', '/v1/blue/leases')).body) as { snapshot: { Subnet: string }[] };
    expect(listed.snapshot.map((l) => l.Subnet)).toEqual([subnet]);
    expect((JSON.parse((await call('GET', '/v1/_/leases')).body) as { snapshot: unknown[] }).snapshot).toEqual([]);
  });
});

describe('lease server: listen addresses', () => {
  it.each([
    ['udp://127.0.0.1:1', 'Error listening on udp://127.0.0.1:1: bad listener scheme'],
    ['fd://x', 'Error listening on fd://x: fd index is not a number'],
    ['fd://', 'Error listening on fd://: fd 3 is out of range (3)'],
    ['fd://4', 'Error listening on fd://4: fd 4 is out of range (3)'],
    ['127.0.0.1', 'Error listening on 127.0.0.1: address 127.0.0.1: missing port in address'],
  ])('%s → one line', async (listen, message) => {
    await expect(
      startLeaseServer({
        listen,
        tls: { caFile: '', certFile: '', keyFile: '' },
        networks,
        ttlSeconds: TTL,
        log: memoryLogger().log,
        env: {},
      }),
    ).rejects.toThrow(new RegExp(`^${message.replace(/[.()/]/g, '\\$&')}$`));
  });
});
