// The health listener of flanneld (--healthz-port) in lab namespaces: readiness through start, an
// etcd outage and a backend crash; metrics read by a Prometheus text parser; status; every mode.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, CONFIG_KEY, envValue, FLANNELD, parseMetricsText, startFlanneld, waitFor, type Daemon, type Lab, type LabHost } from '@flannel-ts/testing';
import { startDaemonLab, stopAll, type DaemonLab } from './daemon-lab.js';

let dl: DaemonLab;
let lab: Lab;

beforeAll(async () => {
  assertBuilt();
  dl = await startDaemonLab('health-test');
  ({ lab } = dl);
});
afterAll(async () => {
  await dl?.destroy();
});

const PORT = 9101;
const HOSTGW_CONFIG = '{"Network":"10.244.0.0/16","Backend":{"Type":"host-gw"}}';

/** One request to the health listener of `host`, from inside its namespace. */
async function get(host: LabHost, urlPath: string): Promise<{ code: number; body: string }> {
  const res = await lab.exec(host.ns, ['curl', '-s', '--max-time', '20', '-w', '\n%{http_code}', `http://${host.ip}:${PORT}${urlPath}`]);
  const lines = res.stdout.split('\n');
  const code = Number(lines.pop());
  return { code: res.exitCode === 0 ? code : 0, body: lines.join('\n') };
}

const readyz = (h: LabHost) => get(h, '/readyz');
const metrics = async (h: LabHost) => parseMetricsText((await get(h, '/metrics')).body);
const status = async (h: LabHost) => JSON.parse((await get(h, '/status')).body) as StatusJson;

interface StatusJson {
  mode: string;
  ready: boolean;
  reason: string | null;
  networks: Array<{ name: string; backend: string | null; lease: { subnet: string; publicIp: string } | null; backendPid: number | null; backendRestarts: number; ready: boolean }>;
}

describe('flanneld --healthz-port', () => {
  it('is not ready until the lease is applied, counts leases and renewals, and sees a backend crash through', async () => {
    const dir = await dl.fresh();
    const host = lab.hosts[0]!;
    const d = await startFlanneld(lab, host, dir, { args: [`--healthz-port=${PORT}`, '--subnet-lease-ttl=10s'] });
    await waitFor(async () => (await readyz(host)).body === 'waiting for the network config\n', { what: 'readyz waiting for the config' });
    expect((await readyz(host)).code).toBe(503);
    expect(await get(host, '/healthz')).toEqual({ code: 200, body: 'flanneld is running' });

    await dl.etcd.etcdctl(['put', CONFIG_KEY, HOSTGW_CONFIG]);
    await waitFor(async () => (await readyz(host)).code === 200, { what: 'readyz 200 once the lease is applied' });
    const subnet = envValue(d.env(), 'FLANNEL_SUBNET')!.replace('.1/24', '.0/24');
    const s = await status(host);
    expect(s).toMatchObject({ mode: 'single', ready: true, reason: null });
    expect(s.networks).toHaveLength(1);
    expect(s.networks[0]).toMatchObject({ name: '', backend: 'host-gw', lease: { subnet, publicIp: host.ip }, backendRestarts: 0, ready: true });
    const pid = s.networks[0]!.backendPid!;
    expect(pid).toBeGreaterThan(0);

    const before = await metrics(host);
    expect(before.typeOf('flannel_leases')).toBe('GAUGE');
    expect(before.value('flannel_leases')).toBe(1);
    expect(before.value('flannel_ready')).toBe(1);
    expect(before.value('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(before.count('flannel_etcd_request_duration_seconds', { op: 'txn' })).toBeGreaterThan(0);
    const free = before.value('flannel_subnets_free')!;

    await dl.etcd.etcdctl(['put', '/coreos.com/network/subnets/10.244.200.0-24', '{"PublicIP":"192.0.2.99"}']);
    await waitFor(async () => (await metrics(host)).value('flannel_leases') === 2, { what: 'flannel_leases to count the peer' });
    expect((await metrics(host)).value('flannel_subnets_free')).toBe(free - 1);
    await waitFor(async () => ((await metrics(host)).value('flannel_lease_renewals_total', { result: 'ok' }) ?? 0) >= 1, { what: 'a renewal counted' });

    // A backend crash: not ready while it restarts (or already back), healthz answering throughout.
    process.kill(pid, 'SIGKILL');
    const seen = new Set<string>();
    await waitFor(
      async () => {
        const r = await readyz(host);
        seen.add(r.body.trim());
        expect((await get(host, '/healthz')).code).toBe(200);
        const after = await status(host);
        return r.code === 200 && after.networks[0]!.backendRestarts === 1 && after.networks[0]!.backendPid !== pid;
      },
      { what: 'the backend restarted and the daemon ready again' },
    );
    expect([...seen].every((reason) => reason === 'ok' || reason === 'backend restarting' || reason.startsWith('applying lease'))).toBe(true);
    expect((await metrics(host)).value('flannel_backend_restarts_total')).toBe(1);
    await stopAll(d);
  });

  it('reports etcd unreachable after --healthz-etcd-grace, and ready again once etcd is back', async () => {
    const dir = await dl.fresh();
    const host = lab.hosts[1]!;
    await dl.etcd.etcdctl(['put', CONFIG_KEY, '{"Network":"10.244.0.0/16","Backend":{"Type":"alloc"}}']);
    const d = await startFlanneld(lab, host, dir, { args: [`--healthz-port=${PORT}`, '--healthz-etcd-grace=2s'] });
    await waitFor(async () => (await readyz(host)).code === 200, { what: 'readyz 200' });
    try {
      await dl.etcd.stop();
      await waitFor(async () => /^etcd unreachable for \d+s\n$/.test((await readyz(host)).body), { what: 'readyz naming etcd' });
      expect((await readyz(host)).code).toBe(503);
      expect((await metrics(host)).value('flannel_ready')).toBe(0);
      expect((await get(host, '/healthz')).code).toBe(200);
    } finally {
      await dl.etcd.restart();
    }
    await waitFor(async () => (await readyz(host)).code === 200, { what: 'readyz 200 after etcd came back' });
    expect(((await metrics(host)).value('flannel_watch_resumes_total') ?? 0) + ((await metrics(host)).value('flannel_watch_relists_total') ?? 0)).toBeGreaterThan(1);
    await stopAll(d);
  });

  it('labels every network in multi-network mode, and serves the server mode with no network', async () => {
    const dir = await dl.fresh();
    const [h0, h1] = [lab.hosts[0]!, lab.hosts[2]!];
    for (const [name, net] of [['blue', '10.50.0.0/16'], ['green', '10.60.0.0/16']]) {
      await dl.etcd.etcdctl(['put', `/coreos.com/network/${name}/config`, `{"Network":"${net}","Backend":{"Type":"alloc"}}`]);
    }
    const multi = await startFlanneld(lab, h0, path.join(dir, 'multi'), {
      args: [`--healthz-port=${PORT}`, '--networks=blue,green', `--subnet-dir=${path.join(dir, 'multi', 'networks')}`],
    });
    const logFile = path.join(dir, 'server.log');
    const server = lab.spawn(h1.ns, [FLANNELD, `--etcd-endpoints=http://${lab.switchIp}:2379`, `--listen=${h1.ip}:8888`, `--healthz-port=${PORT}`], {
      stdout: logFile,
      stderr: logFile,
    });
    try {
      await waitFor(async () => (await readyz(h0)).code === 200, { what: 'the multi-network daemon ready' });
      const s = await status(h0);
      expect(s.mode).toBe('multi');
      expect(s.networks.map((n) => n.name).sort()).toEqual(['blue', 'green']);
      const m = await metrics(h0);
      expect(m.value('flannel_leases', { network: 'blue' })).toBe(1);
      expect(m.value('flannel_ready', { network: 'green' })).toBe(1);

      await waitFor(async () => (await readyz(h1)).code === 200, { what: 'the server ready' });
      expect(await status(h1)).toMatchObject({ mode: 'server', ready: true, networks: [] });

      // A second daemon on the same host wanting the same port: exit 1, one line naming the flag.
      const second = await startFlanneld(lab, h0, path.join(dir, 'second'), { args: [`--healthz-port=${PORT}`, '--etcd-prefix=/other'] });
      await waitFor(() => second.proc.hasExited(), { what: 'the second daemon to exit' });
      expect((await second.proc.exited).code).toBe(1);
      expect(second.messages()).toEqual([`--healthz-port=${PORT}: health endpoint: cannot listen on 0.0.0.0:${PORT}: listen EADDRINUSE: address already in use 0.0.0.0:${PORT}`]);
    } finally {
      await server.stop();
      await stopAll(multi as Daemon);
    }
  });
});
