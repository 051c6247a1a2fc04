import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIP4, formatIP4Net, parseIP4, parseIP4Net, subnetKey } from '@flannel-ts/ip';
import { startEtcd, waitFor, type EtcdServer } from '@flannel-ts/testing';
import { acquireLease, beginAcquisition, EtcdLeaseRegistry, OutOfSubnetsError, type Lease } from '../src/index.js';
import { memoryLogger, PREFIX, range } from './helpers.js';

let etcd: EtcdServer;
const registries: EtcdLeaseRegistry[] = [];

async function connect(endpoint = etcd.endpoint, prefix = PREFIX): Promise<EtcdLeaseRegistry> {
  const r = await EtcdLeaseRegistry.connect({ endpoints: [endpoint], prefix });
  registries.push(r);
  return r;
}

async function keyInfo(key: string): Promise<{ lease: string; version: number; create: string; value: string } | undefined> {
  const raw = await etcd.etcdctl(['get', key, '-w', 'json']);
  const kv = JSON.parse(raw).kvs?.[0];
  if (!kv) return undefined;
  // Lease ids are 64-bit: read them from the text, JSON.parse would round them.
  return {
    lease: /"lease":(\d+)/.exec(raw)?.[1] ?? '0',
    version: kv.version,
    create: String(kv.create_revision),
    value: Buffer.from(kv.value, 'base64').toString(),
  };
}

async function leaseCount(): Promise<number> {
  const out = await etcd.etcdctl(['lease', 'list']);
  return out.split('\n').filter((l: string) => /^[0-9a-f]+$/.test(l.trim())).length;
}

async function clearEtcd(): Promise<void> {
  await etcd.etcdctl(['del', '--prefix', '/']);
  for (const line of (await etcd.etcdctl(['lease', 'list'])).split('\n')) {
    if (/^[0-9a-f]+$/.test(line.trim())) await etcd.etcdctl(['lease', 'revoke', line.trim()]);
  }
}

beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  registries.forEach((r) => r.close());
  await etcd?.dispose();
});

const net16 = range('10.1.0.0/16', 24, '10.1.1.0', '10.1.255.0');
const attrs = (ip: string) => ({ publicIp: parseIP4(ip) });

describe('acquiring a lease in a real etcd', () => {
  it("creates the key with Go flanneld v0.20's JSON, attached to its own lease of the TTL", async () => {
    await clearEtcd();
    const r = await connect();
    const { log } = memoryLogger();
    const lease = await acquireLease(r, net16, { publicIp: parseIP4('192.0.2.11'), backendType: 'host-gw' }, { ttlSeconds: 3600, log });
    const key = `${PREFIX}/subnets/${subnetKey(lease.subnet)}`;
    const info = await keyInfo(key);
    expect(info?.value).toBe('{"PublicIP":"192.0.2.11","PublicIPv6":null,"BackendType":"host-gw"}');
    expect(info?.lease).not.toBe('0');
    const ttl = await etcd.etcdctl(['lease', 'timetolive', BigInt(info!.lease).toString(16)]);
    expect(ttl).toMatch(/granted with TTL\(3600s\)/);
  });

  it('reuses the lease of its public IP, replacing its etcd lease without leaking the old one', async () => {
    await clearEtcd();
    const r = await connect();
    const { log, lines } = memoryLogger();
    const first = await acquireLease(r, net16, attrs('192.0.2.11'), { ttlSeconds: 3600, log });
    const second = await acquireLease(r, net16, attrs('192.0.2.11'), { ttlSeconds: 3600, log });
    expect(formatIP4Net(second.subnet)).toBe(formatIP4Net(first.subnet));
    expect(second.etcdLeaseId).not.toBe(first.etcdLeaseId);
    expect(await leaseCount()).toBe(1);
    expect((await keyInfo(`${PREFIX}/subnets/${subnetKey(first.subnet)}`))?.lease).toBe(second.etcdLeaseId);
    expect(lines()).toContain(`Found lease (ip: ${formatIP4Net(first.subnet)}) for current IP (192.0.2.11), reusing`);
  });

  it('begun ahead: the first attempt writes with the listing and TTL the head took before the attributes were known', async () => {
    await clearEtcd();
    const r = await connect();
    const { log } = memoryLogger();
    const head = beginAcquisition(r, 3600);
    // Listed and granted already: the one etcd lease is the head's.
    await waitFor(async () => (await leaseCount()) === 1, { what: 'the head to grant its TTL' });
    const granted = BigInt(`0x${(await etcd.etcdctl(['lease', 'list'])).split('\n').find((l: string) => /^[0-9a-f]+$/.test(l.trim()))!.trim()}`).toString();
    const created = await acquireLease(r, net16, attrs('192.0.2.11'), { ttlSeconds: 3600, log, head });
    expect(created.etcdLeaseId).toBe(granted);
    expect((await keyInfo(`${PREFIX}/subnets/${subnetKey(created.subnet)}`))?.lease).toBe(granted);
    expect(await leaseCount()).toBe(1);
    // Taken once: a second acquisition with it lists and grants for itself, and reuses the lease.
    expect(head.take()).toBeUndefined();
    const reused = await acquireLease(r, net16, attrs('192.0.2.11'), { ttlSeconds: 3600, log, head });
    expect(formatIP4Net(reused.subnet)).toBe(formatIP4Net(created.subnet));
    expect(await leaseCount()).toBe(1);
  });

  it('begun ahead: a stale listing loses the race and is listed again; an unused or discarded head leaves no etcd lease', async () => {
    await clearEtcd();
    const r = await connect();
    const { log, lines } = memoryLogger();
    const narrow = range('10.1.0.0/16', 24, '10.1.1.0', '10.1.2.0');
    const head = beginAcquisition(r, 3600);
    await waitFor(async () => (await leaseCount()) === 1, { what: 'the head to grant its TTL' });
    // Another host takes 10.1.1.0/24 after the head listed: the first write loses, its TTL is dropped.
    await etcd.etcdctl(['put', `${PREFIX}/subnets/10.1.1.0-24`, '{"PublicIP":"192.0.2.99"}']);
    const lease = await acquireLease(r, narrow, attrs('192.0.2.11'), { ttlSeconds: 3600, log, head, preferredSubnet: parseIP4Net('10.1.1.0/24') });
    expect(formatIP4Net(lease.subnet)).toBe('10.1.2.0/24');
    expect(lines()).toContain('Subnet 10.1.1.0/24 was taken by another host first; retrying');
    expect(await leaseCount()).toBe(1);
    expect((await keyInfo(`${PREFIX}/subnets/10.1.2.0-24`))?.lease).toBe(lease.etcdLeaseId);

    const discarded = beginAcquisition(r, 3600);
    await waitFor(async () => (await leaseCount()) === 2, { what: 'a second head to grant its TTL' });
    discarded.discard();
    await waitFor(async () => (await leaseCount()) === 1, { what: 'the discarded head’s TTL to be revoked' });
    expect(discarded.take()).toBeUndefined();
  });

  it('takes the previous subnet from the subnet file when it is free, and not when another host holds it', async () => {
    await clearEtcd();
    const r = await connect();
    const { log } = memoryLogger();
    const preferred = parseIP4Net('10.1.77.0/24');
    const got = await acquireLease(r, net16, attrs('192.0.2.11'), { ttlSeconds: 3600, log, preferredSubnet: preferred });
    expect(formatIP4Net(got.subnet)).toBe('10.1.77.0/24');
    const other = await acquireLease(r, net16, attrs('192.0.2.12'), { ttlSeconds: 3600, log, preferredSubnet: preferred });
    expect(formatIP4Net(other.subnet)).not.toBe('10.1.77.0/24');
  });

  it('treats a key whose value is not a lease as taken: the previous subnet is given up at once, not asked for again', async () => {
    await clearEtcd();
    const r = await connect();
    const { log, lines } = memoryLogger();
    await etcd.etcdctl(['put', `${PREFIX}/subnets/10.1.78.0-24`, 'garbage']);
    const got = await acquireLease(r, net16, attrs('192.0.2.13'), { ttlSeconds: 3600, log, preferredSubnet: parseIP4Net('10.1.78.0/24') });
    expect(formatIP4Net(got.subnet)).not.toBe('10.1.78.0/24');
    expect(lines()).toContain('Previously leased subnet 10.1.78.0/24 is taken; picking another');
    expect(lines().filter((l) => l.includes('was taken by another host first'))).toEqual([]);
    expect((await keyInfo(`${PREFIX}/subnets/10.1.78.0-24`))?.value).toBe('garbage');
  });

  it('keeps a reservation TTL-less for its owner and never hands it to anyone else', async () => {
    await clearEtcd();
    const r = await connect();
    const { log } = memoryLogger();
    const tiny = range('10.1.0.0/16', 24, '10.1.5.0', '10.1.6.0');
    await etcd.etcdctl(['put', `${PREFIX}/subnets/10.1.5.0-24`, '{"PublicIP":"192.0.2.50"}']);
    const owner = await acquireLease(r, tiny, attrs('192.0.2.50'), { ttlSeconds: 3600, log });
    expect(formatIP4Net(owner.subnet)).toBe('10.1.5.0/24');
    const info = await keyInfo(`${PREFIX}/subnets/10.1.5.0-24`);
    expect(info?.lease).toBe('0');
    expect(info?.value).toBe('{"PublicIP":"192.0.2.50","PublicIPv6":null}');
    const other = await acquireLease(r, tiny, attrs('192.0.2.51'), { ttlSeconds: 3600, log });
    expect(formatIP4Net(other.subnet)).toBe('10.1.6.0/24');
    await expect(acquireLease(r, tiny, attrs('192.0.2.52'), { ttlSeconds: 3600, log })).rejects.toBeInstanceOf(OutOfSubnetsError);
  });

  it('deletes its own lease when the config no longer allows it, then allocates a fitting one', async () => {
    await clearEtcd();
    const r = await connect();
    const { log } = memoryLogger();
    await acquireLease(r, net16, attrs('192.0.2.11'), { ttlSeconds: 3600, log, preferredSubnet: parseIP4Net('10.1.200.0/24') });
    const narrowed = range('10.1.0.0/16', 24, '10.1.1.0', '10.1.9.0');
    const lease = await acquireLease(r, narrowed, attrs('192.0.2.11'), { ttlSeconds: 3600, log });
    expect(lease.subnet.ip).toBeLessThanOrEqual(parseIP4('10.1.9.0'));
    expect(await keyInfo(`${PREFIX}/subnets/10.1.200.0-24`)).toBeUndefined();
  });

  it('race: 50 clients at once take 50 distinct subnets, each key created once on its own lease; a 51st is out of subnets', async () => {
    await clearEtcd();
    const fifty = range('10.9.0.0/16', 24, '10.9.10.0', '10.9.59.0');
    const clients = await Promise.all(Array.from({ length: 51 }, () => connect()));
    // Warm every connection so the barrier releases 50 requests, not 50 TCP handshakes.
    await Promise.all(clients.map((c) => c.getConfig()));
    const { log } = memoryLogger();
    let release!: () => void;
    const barrier = new Promise<void>((resolve) => (release = resolve));
    const racers = clients.slice(0, 50).map(async (c, i) => {
      await barrier;
      return acquireLease(c, fifty, attrs(`192.0.2.${100 + i}`), { ttlSeconds: 3600, log });
    });
    release();
    const leases: Lease[] = await Promise.all(racers);
    const subnets = new Set(leases.map((l) => formatIP4Net(l.subnet)));
    expect(subnets.size).toBe(50);
    const ids = new Set(leases.map((l) => l.etcdLeaseId));
    expect(ids.size).toBe(50);
    for (const l of leases) {
      const info = await keyInfo(`${PREFIX}/subnets/${subnetKey(l.subnet)}`);
      expect(info?.version).toBe(1);
      expect(info?.lease).toBe(l.etcdLeaseId);
      expect(info?.value).toBe(`{"PublicIP":"${formatIP4(l.attrs.publicIp)}","PublicIPv6":null}`);
    }
    // Losers revoked the leases they granted: exactly one etcd lease per key remains.
    expect(await leaseCount()).toBe(50);
    await expect(acquireLease(clients[50]!, fifty, attrs('192.0.2.200'), { ttlSeconds: 3600, log })).rejects.toThrow(
      /^out of subnets/,
    );
  });
});
