// flannelctl status and leases against real flanneld daemons (host-gw) in the lab, through the
// daemon's health listener: what the daemon holds, and a route deleted by hand.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, CONFIG_KEY, parseMetricsText, startFlanneld, waitFor, type Daemon, type Lab, type LabHost } from '@flannel-ts/testing';
import { startDaemonLab, stopAll, type DaemonLab } from './daemon-lab.js';

const CTL = path.resolve(import.meta.dirname, '../../../dist/apps/flannelctl/flannelctl');
const HOST_GW = '{"Network":"10.244.0.0/16","Backend":{"Type":"host-gw"}}';
const HEALTH_PORT = 9102;

interface StatusDoc {
  readonly ready: boolean;
  readonly mode: string;
  readonly networks: readonly {
    readonly backend: string | null;
    readonly lease: { readonly subnet: string; readonly publicIp: string } | null;
    readonly backendPid: number | null;
    readonly backendStatus: { readonly kernel?: { wanted: number; present: number; repaired: { entry: string }[] } } | null;
  }[];
}

let dl: DaemonLab;
let lab: Lab;
beforeAll(async () => {
  assertBuilt();
  dl = await startDaemonLab('flannelctl-status');
  ({ lab } = dl);
});
afterAll(async () => {
  await dl?.destroy();
});

function ctl(host: LabHost, args: readonly string[]) {
  return lab.exec(host.ns, [CTL, ...args], { env: { FLANNELD_HEALTHZ_IP: host.ip, FLANNELD_HEALTHZ_PORT: String(HEALTH_PORT) } });
}

async function statusOf(host: LabHost): Promise<StatusDoc | undefined> {
  const r = await ctl(host, ['status', '--json']);
  return r.exitCode === 0 ? (JSON.parse(r.stdout) as StatusDoc) : undefined;
}

describe('flannelctl against running daemons', () => {
  let daemons: Daemon[] = [];
  let subnets: string[] = [];

  beforeAll(async () => {
    const dir = await dl.fresh();
    await dl.etcd.etcdctl(['put', CONFIG_KEY, HOST_GW]);
    daemons = await Promise.all(
      lab.hosts.slice(0, 2).map((h, i) => startFlanneld(lab, h, path.join(dir, `h${i}`), { args: [`--healthz-port=${HEALTH_PORT}`] })),
    );
    const docs: StatusDoc[] = [];
    for (const host of lab.hosts.slice(0, 2)) {
      await waitFor(async () => {
        const doc = await statusOf(host);
        if (doc?.ready) docs.push(doc);
        return doc?.ready === true;
      }, { what: `flanneld on ${host.ns} ready by flannelctl status` });
    }
    subnets = docs.map((d) => d.networks[0]!.lease!.subnet);
  });
  afterAll(async () => {
    await stopAll(...daemons);
  });

  it('status shows the lease, the backend and readiness, as text and as JSON', async () => {
    const host = lab.hosts[0]!;
    const doc = (await statusOf(host))!;
    expect(doc.mode).toBe('single');
    expect(doc.networks[0]).toMatchObject({ backend: 'host-gw', lease: { subnet: subnets[0], publicIp: host.ip } });
    const text = await ctl(host, ['status']);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/^ready\s+yes$/m);
    expect(text.stdout).toContain(`${subnets[0]}, public IP ${host.ip}`);
    expect(text.stdout).toMatch(new RegExp(`^backend\\s+host-gw, pid ${doc.networks[0]!.backendPid}\\b`, 'm'));
  });

  it('leases lists both daemons with their public IPs', async () => {
    const r = await ctl(lab.hosts[0]!, ['leases', '--json', `--etcd-endpoints=${dl.etcd.endpoint}`]);
    expect(r.exitCode).toBe(0);
    const rows = (JSON.parse(r.stdout) as { leases: { subnet: string; publicIp: string }[] }).leases;
    expect(rows.map((l) => [l.subnet, l.publicIp]).sort()).toEqual(
      [
        [subnets[0], lab.hosts[0]!.ip],
        [subnets[1], lab.hosts[1]!.ip],
      ].sort(),
    );
  });

  it('status shows a route deleted by hand as repaired, and /metrics counts the repair', async () => {
    const host = lab.hosts[0]!;
    const peer = lab.hosts[1]!;
    // Routes are described with the interface's index: `route 10.244.2.0/24 via 192.0.2.12 dev #2`.
    const entry = new RegExp(`^route ${subnets[1]!.replace(/[./]/g, '\\$&')} via ${peer.ip.replace(/\./g, '\\.')} dev #\\d+$`);
    const repairs = async () => {
      const r = await lab.exec(host.ns, ['curl', '-sf', `http://${host.ip}:${HEALTH_PORT}/metrics`]);
      return parseMetricsText(r.stdout).value('flannel_backend_kernel_repairs_total', { backend: 'host-gw', kind: 'route' });
    };
    await waitFor(async () => (await statusOf(host))?.networks[0]?.backendStatus?.kernel?.wanted === 1, { what: 'the kernel report of one wanted route' });
    const before = await repairs();
    expect(before).toBe(0);

    const del = await lab.exec(host.ns, ['ip', 'route', 'del', subnets[1]!]);
    expect(del.exitCode).toBe(0);
    await waitFor(async () => (await statusOf(host))?.networks[0]?.backendStatus?.kernel?.repaired.some((r) => entry.test(r.entry)) === true, {
      what: `status naming the repaired route to ${subnets[1]}`,
    });
    const text = await ctl(host, ['status']);
    expect(text.stdout).toMatch(new RegExp(`^\\s+repaired\\s+\\S+\\s+${entry.source.slice(1, -1)}$`, 'm'));
    expect(text.stdout).toMatch(/^kernel\s+1 of 1 wanted entries present$/m);
    await waitFor(async () => (await repairs()) === 1, { what: 'flannel_backend_kernel_repairs_total{kind="route"} at 1' });
  });

  it('status without the daemon listening: one line, exit 1', async () => {
    const host = lab.hosts[2]!;
    const r = await ctl(host, ['status']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(String(HEALTH_PORT));
  });
});
