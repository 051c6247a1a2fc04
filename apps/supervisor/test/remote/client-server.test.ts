// Client/server mode in a lab: a flanneld server (h1), three flanneld clients of it (h2-h4) and one
// flanneld on etcd directly (h5) in one host-gw cluster; the server killed and back; TLS.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addPod,
  assertBuilt,
  createLab,
  envValue,
  FLANNELD,
  gatewayRoutes,
  leasesInEtcd,
  makeTestCa,
  pingAll,
  pingReplies,
  routeDifferences,
  startFlanneld,
  startLabEtcd,
  startPing,
  tempDir,
  waitFor,
  type CertFiles,
  type Daemon,
  type EtcdServer,
  type Lab,
  type LabHost,
  type LabProcess,
  type Pod,
  type TempDir,
} from '@flannel-ts/testing';

const CONFIG = '{"Network":"10.244.0.0/16","Backend":{"Type":"host-gw"}}';
const TLS_PREFIX = '/tls.example/network';
/** How long the server stays dead under the ping. */
const OUTAGE_MS = 30_000;

let lab: Lab;
let etcd: EtcdServer;
let tmp: TempDir;
let server: Server;
let clients: Daemon[];
let direct: Daemon;
let pods: Pod[];

interface Server {
  readonly host: LabHost;
  readonly address: string;
  proc: LabProcess;
  messages(): string[];
  start(): void;
}

/** `flanneld --listen` on `host`, logging to `<dir>/server.log`. */
function flanneldServer(host: LabHost, port: number, dir: string, args: readonly string[] = []): Server {
  const logFile = path.join(dir, `server-${port}.log`);
  const address = `${host.ip}:${port}`;
  const spawn = () =>
    lab.spawn(host.ns, [FLANNELD, `--listen=${address}`, `--etcd-endpoints=http://${lab.switchIp}:2379`, ...args], {
      stdout: logFile,
      stderr: logFile,
    });
  const s: Server = {
    host,
    address,
    proc: spawn(),
    messages: () => messagesOf(logFile),
    start() {
      s.proc = spawn();
    },
  };
  return s;
}

function messagesOf(logFile: string): string[] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => (JSON.parse(l) as { msg: string }).msg);
}

const waitForEnv = (d: Daemon) => waitFor(() => d.env(), { what: `${d.host.name}'s subnet file in ${d.dir}` });
const subnetOf = (d: Daemon) => envValue(d.env(), 'FLANNEL_SUBNET')!.replace(/\.1\/(\d+)$/, '.0/$1');

beforeAll(async () => {
  assertBuilt();
  tmp = await tempDir('client-server-test');
  lab = await createLab({ hosts: 5 });
  etcd = await startLabEtcd(lab);
  await etcd.etcdctl(['put', '/coreos.com/network/config', CONFIG]);
  const [h1, h2, h3, h4, h5] = lab.hosts as [LabHost, LabHost, LabHost, LabHost, LabHost];
  server = flanneldServer(h1, 8888, tmp.path);
  await waitFor(() => server.messages().some((m) => m.startsWith('Serving the lease API on ')), { what: 'the server to listen' });
  clients = await Promise.all(
    [h2, h3, h4].map((h) => startFlanneld(lab, h, path.join(tmp.path, h.name), { args: [`--remote=${server.address}`] })),
  );
  direct = await startFlanneld(lab, h5, path.join(tmp.path, h5.name));
  const daemons = [...clients, direct];
  await Promise.all(daemons.map(waitForEnv));
  pods = await Promise.all(
    daemons.map((d) => addPod(lab, d.host, { subnet: envValue(d.env(), 'FLANNEL_SUBNET')!, mtu: Number(envValue(d.env(), 'FLANNEL_MTU')) })),
  );
  await waitFor(async () => (await routeProblems(daemons)).length === 0, { what: 'every host to route to every other' });
});

afterAll(async () => {
  await lab?.destroy();
  await tmp?.remove();
});

/** What differs between the leases in etcd and each host's routes (empty: all agree). */
async function routeProblems(daemons: readonly Daemon[]): Promise<string[]> {
  const leases = await leasesInEtcd((args) => etcd.etcdctl(args));
  const problems: string[] = [];
  for (const d of daemons) {
    const differences = routeDifferences(leases, await gatewayRoutes(lab, d.host.ns), d.host.ip);
    problems.push(...differences.map((x) => `${d.host.name}: ${x}`));
  }
  return problems;
}

describe('a flanneld server, three clients and a flanneld on etcd, host-gw', () => {
  it('hold consistent leases (each client its own, written by the server) and every pod reaches every other', async () => {
    const leases = await leasesInEtcd((args) => etcd.etcdctl(args));
    const daemons = [...clients, direct];
    expect(leases.size).toBe(4);
    for (const d of daemons) expect(leases.get(subnetOf(d))?.publicIp, d.host.name).toBe(d.host.ip);
    expect(await routeProblems(daemons)).toEqual([]);
    expect(await pingAll(lab, pods)).toEqual([]);
    for (const c of clients) expect(c.messages().some((m) => m.startsWith('Using the flannel server at http://'))).toBe(true);
  });

  it('survive the server SIGKILLed for 30 s under a 10 ms ping: no loss, no lease change, and a lease put meanwhile shows up', async () => {
    const before = await leasesInEtcd((args) => etcd.etcdctl(args));
    const envs = clients.map((c) => c.env());
    const ping = startPing(lab, pods[0]!.ns, pods[1]!.ip, { intervalMs: 10 });
    await waitFor(() => pingReplies(ping.outputFile) >= 20, { what: 'ping to run' });

    server.proc.kill('SIGKILL');
    await server.proc.exited;
    const killedAt = Date.now();
    const added = '10.244.250.0/24';
    await etcd.etcdctl(['put', '/coreos.com/network/subnets/10.244.250.0-24', '{"PublicIP":"192.0.2.99","PublicIPv6":null,"BackendType":"host-gw"}']);
    await waitFor(async () => (await gatewayRoutes(lab, direct.host.ns)).get(added) === '192.0.2.99', { what: 'the direct daemon to route the new lease' });
    for (const c of clients) {
      await waitFor(() => c.messages().some((m) => m.startsWith('Cannot reach the flannel server')), { what: `${c.host.name} to notice` });
    }
    // The outage itself is the scenario: the clients are left without their server this long.
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - killedAt)));
    for (const c of clients) expect((await gatewayRoutes(lab, c.host.ns)).has(added)).toBe(false);

    server.start();
    for (const c of clients) {
      await waitFor(async () => (await gatewayRoutes(lab, c.host.ns)).get(added) === '192.0.2.99', { what: `${c.host.name} to route the new lease` });
    }
    const after = pingReplies(ping.outputFile);
    await waitFor(() => pingReplies(ping.outputFile) >= after + 50, { what: '50 more ping replies' });
    const stats = await ping.stop();
    expect(stats.lossPercent).toBe(0);
    expect(stats.received).toBeGreaterThan(100);

    const now = await leasesInEtcd((args) => etcd.etcdctl(args));
    before.set(added, { subnet: added, publicIp: '192.0.2.99', leaseId: '0' });
    expect(new Map([...now].map(([k, v]) => [k, v.publicIp]))).toEqual(new Map([...before].map(([k, v]) => [k, v.publicIp])));
    expect(clients.map((c) => c.env())).toEqual(envs);
    for (const c of clients) {
      const m = c.messages();
      expect(m.filter((x) => x.startsWith('Cannot reach the flannel server')), c.host.name).toHaveLength(1);
      expect(m.filter((x) => /^The flannel server at \S+ answers again$/.test(x)), c.host.name).toHaveLength(1);
      expect(m.filter((x) => x.startsWith('Lease ') && x.includes(' lost'))).toEqual([]);
    }
    await etcd.etcdctl(['del', '/coreos.com/network/subnets/10.244.250.0-24']);
  });
});

describe('client/server over TLS', () => {
  let certs: { ca: string; otherCa: string; server: CertFiles; client: CertFiles; stranger: CertFiles };
  let tlsServer: Server;
  let runNo = 0;

  beforeAll(async () => {
    const dir = path.join(tmp.path, 'certs');
    await mkdir(dir, { recursive: true });
    const ca = await makeTestCa(dir, 'ca');
    const otherCa = await makeTestCa(dir, 'other-ca');
    certs = {
      ca: ca.certFile,
      otherCa: otherCa.certFile,
      server: await ca.issue('server', { ips: [lab.hosts[0]!.ip] }),
      client: await ca.issue('client'),
      stranger: await otherCa.issue('stranger'),
    };
    await etcd.etcdctl(['put', `${TLS_PREFIX}/config`, '{"Network":"10.99.0.0/16","Backend":{"Type":"alloc"}}']);
    tlsServer = flanneldServer(lab.hosts[0]!, 8889, tmp.path, [
      `--etcd-prefix=${TLS_PREFIX}`,
      `--remote-cafile=${certs.ca}`,
      `--remote-certfile=${certs.server.certFile}`,
      `--remote-keyfile=${certs.server.keyFile}`,
    ]);
    await waitFor(() => tlsServer.messages().some((m) => m.startsWith('Serving the lease API on ')), { what: 'the TLS server to listen' });
  });

  /** An alloc client on h2 (beside its host-gw client) with these TLS files. */
  const tlsClient = (files: { ca?: string; cert?: CertFiles }) =>
    startFlanneld(lab, lab.hosts[1]!, path.join(tmp.path, `tls-${++runNo}`), {
      args: [
        `--remote=${tlsServer.address}`,
        ...(files.ca ? [`--remote-cafile=${files.ca}`] : []),
        ...(files.cert ? [`--remote-certfile=${files.cert.certFile}`, `--remote-keyfile=${files.cert.keyFile}`] : []),
      ],
    });

  it('leases through the server with good certificates', async () => {
    const d = await tlsClient({ ca: certs.ca, cert: certs.client });
    const env = await waitForEnv(d);
    expect(envValue(env, 'FLANNEL_NETWORK')).toBe('10.99.0.0/16');
    expect(d.messages()).toContain(`Using the flannel server at https://${tlsServer.address}/v1 for network config and leases`);
    const leases = await leasesInEtcd((args) => etcd.etcdctl(args), TLS_PREFIX);
    expect([...leases.values()].map((l) => l.publicIp)).toEqual([lab.hosts[1]!.ip]);
    await d.proc.stop();
  });

  it.each([
    ['without a client certificate', { ca: 'ca' }, /the server requires a client certificate: give --remote-certfile and --remote-keyfile/],
    ['with a client certificate of another CA', { ca: 'ca', cert: 'stranger' }, /the server refused our client certificate|does it accept the client certificate of --remote-certfile/],
    ['trusting another CA than the one of the server', { ca: 'otherCa', cert: 'client' }, /the server's certificate is not signed by the CA of --remote-cafile/],
  ] as const)('is refused %s, with one clear line', async (_what, files, hint) => {
    const d = await tlsClient({
      ca: certs[files.ca],
      ...('cert' in files ? { cert: certs[files.cert] } : {}),
    });
    const line = await waitFor(() => d.messages().find((m) => m.startsWith('Cannot reach the flannel server')), { what: 'the refusal' });
    expect(line).toMatch(hint);
    expect(line).toContain(`https://${tlsServer.address}/v1`);
    expect(d.env()).toBeUndefined();
    expect(d.proc.hasExited()).toBe(false);
    await d.proc.stop();
  });
});

describe('a server started by socket activation', () => {
  it('serves a client on the socket it was handed (--listen=fd://)', async () => {
    const prefix = '/fd.example/network';
    await etcd.etcdctl(['put', `${prefix}/config`, '{"Network":"10.98.0.0/16","Backend":{"Type":"alloc"}}']);
    const h1 = lab.hosts[0]!;
    const logFile = path.join(tmp.path, 'server-fd.log');
    const portFile = path.join(tmp.path, 'server-fd.port');
    // The activator listens on 127.0.0.1 of h1: the client runs beside the server there.
    const activator = fileURLToPath(new URL('../socket-activate.py', import.meta.url));
    const proc = lab.spawn(
      h1.ns,
      ['python3', activator, portFile, 'socket', 'self', FLANNELD, '--listen=fd://', `--etcd-endpoints=http://${lab.switchIp}:2379`, `--etcd-prefix=${prefix}`],
      { stdout: logFile, stderr: logFile },
    );
    const port = await waitFor(() => (existsSync(portFile) ? readFileSync(portFile, 'utf8').trim() || undefined : undefined), { what: 'the activated port' });
    const d = await startFlanneld(lab, h1, path.join(tmp.path, 'fd-client'), { args: [`--remote=127.0.0.1:${port}`] });
    expect(envValue(await waitForEnv(d), 'FLANNEL_NETWORK')).toBe('10.98.0.0/16');
    const leases = await leasesInEtcd((args) => etcd.etcdctl(args), prefix);
    expect([...leases.values()].map((l) => l.publicIp)).toEqual([h1.ip]);
    await d.proc.stop();
    expect(messagesOf(logFile)).toContain('Serving the lease API on fd://3');
    await proc.stop();
  });
});

describe('a client in multi-network mode', () => {
  it('takes its networks from the server (GET /v1/), a lease and env file per network, and follows a network added later', async () => {
    const prefix = '/coreos.com/network';
    await etcd.etcdctl(['put', `${prefix}/blue/config`, '{"Network":"10.90.0.0/16","Backend":{"Type":"alloc"}}']);
    await etcd.etcdctl(['put', `${prefix}/green/config`, '{"Network":"10.91.0.0/16","Backend":{"Type":"alloc"}}']);
    const h4 = lab.hosts[3]!;
    const dir = path.join(tmp.path, 'multi-client');
    const subnetDir = path.join(dir, 'networks');
    const d = await startFlanneld(lab, h4, dir, {
      args: [`--remote=${server.address}`, '--networks=blue,green,red', '--watch-networks', `--subnet-dir=${subnetDir}`],
    });
    const envOf = (name: string) => {
      const file = path.join(subnetDir, `${name}.env`);
      return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    };
    for (const [name, network] of [['blue', '10.90.0.0/16'], ['green', '10.91.0.0/16']] as const) {
      const env = await waitFor(() => envOf(name), { what: `${name}.env` });
      expect(envValue(env, 'FLANNEL_NETWORK')).toBe(network);
      const leases = await leasesInEtcd((args) => etcd.etcdctl(args), `${prefix}/${name}`);
      expect([...leases.values()].map((l) => l.publicIp)).toEqual([h4.ip]);
    }
    expect(d.messages()).toContain(`Using the flannel server at http://${server.address}/v1 for networks, their config and leases`);
    await etcd.etcdctl(['put', `${prefix}/red/config`, '{"Network":"10.92.0.0/16","Backend":{"Type":"alloc"}}']);
    expect(envValue(await waitFor(() => envOf('red'), { what: 'red.env' }), 'FLANNEL_NETWORK')).toBe('10.92.0.0/16');
    await d.proc.stop();
    // The single network's client on h4 was not disturbed.
    expect(clients[2]!.proc.hasExited()).toBe(false);
    await etcd.etcdctl(['del', '--prefix', `${prefix}/blue/`]);
    await etcd.etcdctl(['del', '--prefix', `${prefix}/green/`]);
    await etcd.etcdctl(['del', '--prefix', `${prefix}/red/`]);
  });
});
