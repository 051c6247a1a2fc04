// The client against the real flanneld server (libs/lease-server) on loopback, over a real etcd.
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatIP4Net, parseIP4, parseIP4Net, subnetKey } from '@flannel-ts/ip';
import { startLeaseServer, type LeaseServer } from '@flannel-ts/lease-server';
import { EtcdSubnetManager, LeaseKeeper, LeaseWatcher, type AllocationRange, type Lease, type LeaseEvent } from '@flannel-ts/subnet';
import { startEtcd, waitFor, type EtcdServer } from '@flannel-ts/testing';
import { RemoteSubnetManager, ServerTransport } from '../src/index.js';

const PREFIX = '/coreos.com/network';
const CONFIG = '{"Network":"10.7.0.0/16","Backend":{"Type":"host-gw"}}';
const RANGE: AllocationRange = { network: parseIP4Net('10.7.0.0/16'), subnetLen: 24, subnetMin: parseIP4('10.7.1.0'), subnetMax: parseIP4('10.7.255.0') };
/** The server's lease TTL; the clients' own is a day. */
const SERVER_TTL_S = 6;

let etcd: EtcdServer;
let store: EtcdSubnetManager;
const cleanup: Array<() => Promise<void> | void> = [];

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

function startServer(listen = '127.0.0.1:0'): Promise<LeaseServer> {
  return startLeaseServer({
    listen,
    tls: { caFile: '', certFile: '', keyFile: '' },
    networks: { network: () => ({ manager: store, registry: store.registry }) },
    ttlSeconds: SERVER_TTL_S,
    log: pino({ level: 'silent' }),
  });
}

async function client(address: string) {
  const { log, lines } = memoryLogger();
  const manager = new RemoteSubnetManager(await ServerTransport.create({ remote: address }, log));
  cleanup.push(() => manager.close());
  return { manager, log, lines };
}

const etcdValue = async (subnet: string) =>
  (await etcd.etcdctl(['get', `${PREFIX}/subnets/${subnet.replace('/', '-')}`, '--print-value-only'])).trim();

beforeAll(async () => {
  etcd = await startEtcd();
  await etcd.etcdctl(['put', `${PREFIX}/config`, CONFIG]);
  store = await EtcdSubnetManager.connect({ endpoints: [etcd.endpoint], prefix: PREFIX });
});
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});
afterAll(async () => {
  store?.close();
  await etcd?.dispose();
});

describe('RemoteSubnetManager against the flanneld server', () => {
  it('reads the config, acquires, renews and revokes a lease the server keeps in etcd, on the server\'s TTL', async () => {
    const server = await startServer();
    cleanup.push(() => server.close());
    const { manager, log } = await client(server.address);
    expect(JSON.parse((await manager.getConfig())!)).toMatchObject({ Network: '10.7.0.0/16' });
    const attrs = { publicIp: parseIP4('192.0.2.31'), backendType: 'host-gw' };
    const lease = await manager.acquireLease(RANGE, attrs, { ttlSeconds: 86_400, log });
    const subnet = formatIP4Net(lease.subnet);
    expect(JSON.parse(await etcdValue(subnet))).toMatchObject({ PublicIP: '192.0.2.31', BackendType: 'host-gw' });
    // The server's TTL, not the client's day.
    expect(lease.expiration! - Date.now()).toBeLessThanOrEqual(SERVER_TTL_S * 1000);
    expect(lease.expiration! - Date.now()).toBeGreaterThan(0);
    const left = await manager.renewLease(lease);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(SERVER_TTL_S);
    // The same host asking again gets its lease back.
    expect(formatIP4Net((await manager.acquireLease(RANGE, attrs, { ttlSeconds: 86_400, log })).subnet)).toBe(subnet);
    await manager.revokeLease(lease);
    expect(await etcdValue(subnet)).toBe('');
    // Gone from the store: renewing it says "lost".
    expect(await manager.renewLease(lease)).toBe(0);
  });

  it('keeps a lease through the keeper and takes it again when it was deleted behind its back', async () => {
    const server = await startServer();
    cleanup.push(() => server.close());
    const { manager, log, lines } = await client(server.address);
    const changes: Lease[] = [];
    const keeper = new LeaseKeeper({
      manager,
      range: RANGE,
      attrs: { publicIp: parseIP4('192.0.2.32') },
      ttlMs: 86_400_000,
      renewMarginMs: 3_600_000,
      log,
      retryMs: 200,
      onLeaseChanged: async (l) => void changes.push(l),
    });
    const stop = new AbortController();
    const first = await keeper.acquire(stop.signal);
    const watcher = new LeaseWatcher(manager, (events) => keeper.observe(events), log, 200);
    const running = Promise.all([keeper.run(stop.signal), watcher.run(stop.signal)]);
    cleanup.push(async () => {
      stop.abort();
      await running;
    });
    await waitFor(() => lines().some((l) => l.startsWith('Lease renewed')), { what: 'a renewal on the server\'s TTL' });
    await etcd.etcdctl(['del', `${PREFIX}/subnets/${subnetKey(first.subnet)}`]);
    await waitFor(() => changes.length === 1, { what: 'the lease to be acquired again' });
    expect(JSON.parse(await etcdValue(formatIP4Net(changes[0]!.subnet))).PublicIP).toBe('192.0.2.32');
  });

  it('follows leases through the server, and after the server was away re-lists: what changed meanwhile, once', async () => {
    // The lease the test before left (it lives out the server's TTL) could name a subnet this test puts.
    await etcd.etcdctl(['del', '--prefix', `${PREFIX}/subnets/`]);
    let server = await startServer();
    const address = server.address;
    cleanup.push(() => server.close());
    const { manager, log, lines } = await client(address);
    const seen: LeaseEvent[] = [];
    const watcher = new LeaseWatcher(manager, (events) => seen.push(...events), log, 200);
    const stop = new AbortController();
    const running = watcher.run(stop.signal);
    cleanup.push(async () => {
      stop.abort();
      await running;
    });
    const put = (subnet: string, ip: string) =>
      etcd.etcdctl(['put', `${PREFIX}/subnets/${subnet}`, `{"PublicIP":"${ip}","PublicIPv6":null,"BackendType":"host-gw"}`]);
    const has = (type: string, subnet: string) => seen.some((e) => e.type === type && formatIP4Net(e.lease.subnet) === subnet);
    await put('10.7.200.0-24', '192.0.2.41');
    await waitFor(() => has('added', '10.7.200.0/24'), { what: 'a lease put in etcd' });
    await etcd.etcdctl(['del', `${PREFIX}/subnets/10.7.200.0-24`]);
    await waitFor(() => has('removed', '10.7.200.0/24'), { what: 'its removal' });

    await put('10.7.201.0-24', '192.0.2.42');
    await waitFor(() => has('added', '10.7.201.0/24'), { what: 'a second lease' });
    await server.close();
    await put('10.7.202.0-24', '192.0.2.43');
    await etcd.etcdctl(['del', `${PREFIX}/subnets/10.7.201.0-24`]);
    await waitFor(() => lines().some((l) => l.startsWith('Cannot reach the flannel server')), { what: 'the client to notice' });
    server = await startServer(address);
    await waitFor(() => has('added', '10.7.202.0/24') && has('removed', '10.7.201.0/24'), { what: 'the re-sync' });
    expect(lines().filter((l) => l.startsWith('Cannot reach the flannel server'))).toHaveLength(1);
    expect(lines().filter((l) => / answers again$/.test(l))).toHaveLength(1);
    // Re-listing announces only the difference.
    expect(seen.filter((e) => formatIP4Net(e.lease.subnet) === '10.7.201.0/24' && e.type === 'added')).toHaveLength(1);
    for (const s of ['10.7.202.0-24']) await etcd.etcdctl(['del', `${PREFIX}/subnets/${s}`]);
  });
});
