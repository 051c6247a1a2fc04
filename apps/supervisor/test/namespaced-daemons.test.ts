// Two flanneld per host, each with its own --etcd-prefix and --subnet-file (and one --state-dir root
// shared by both), on 3 lab hosts: each overlay carries its own traffic, each daemon's routes,
// neighbour and fdb entries, masq chains, state directory and lock are exactly its own, and stopping
// or restarting one daemon leaves the other overlay's traffic and kernel entries untouched.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  createLab,
  envValue,
  pingAll,
  pingReplies,
  run,
  startIpMonitor,
  startLabEtcd,
  startPing,
  tempDir,
  waitFor,
  type EtcdServer,
  type IpMonitorEvent,
  type Lab,
  type TempDir,
} from '@flannel-ts/testing';
import { containsIP4, parseIP4 } from '@flannel-ts/ip';
import { daemonIdentity } from '../src/daemon-identity.js';
import {
  actualEntries,
  chainsOf,
  flannelRules,
  nftTables,
  otherRoutes,
  programmedExactly,
  startOverlays,
  stateRoot,
  subnetOf,
  wantedEntries,
  type Overlay,
  type OverlaySpec,
} from './overlay-lab.js';

const CONFIGURATIONS: ReadonlyArray<{ title: string; specs: [OverlaySpec, OverlaySpec] }> = [
  {
    title: 'host-gw on the default prefix + vxlan VNI 2',
    specs: [
      { tag: '', prefix: '/coreos.com/network', network: '10.50.0.0/16', backend: { Type: 'host-gw' } },
      { tag: 'b', prefix: '/overlay-b/network', network: '10.60.0.0/16', backend: { Type: 'vxlan', VNI: 2 } },
    ],
  },
  {
    title: 'vxlan VNI 1 + vxlan VNI 2 (masquerading through native nftables)',
    specs: [
      { tag: '', prefix: '/overlay-a/network', network: '10.70.0.0/16', backend: { Type: 'vxlan', VNI: 1 } },
      { tag: 'b', prefix: '/overlay-b/network', network: '10.80.0.0/16', backend: { Type: 'vxlan', VNI: 2 }, masqBackend: 'nftables' },
    ],
  },
];

for (const { title, specs } of CONFIGURATIONS) {
  describe(`two namespaced daemons per host: ${title}`, () => {
    let lab: Lab;
    let etcd: EtcdServer;
    let tmp: TempDir;
    let overlays: Overlay[];
    /** Each host's routes before any daemon ran. */
    let hostRoutes: string[][];

    beforeAll(async () => {
      assertBuilt();
      tmp = tempDir('namespaced-daemons');
      lab = await createLab({ hosts: 3 });
      etcd = await startLabEtcd(lab);
      hostRoutes = await Promise.all(lab.hosts.map((h) => otherRoutes(lab, h, [])));
      overlays = await startOverlays(lab, etcd, tmp.path, specs);
      for (const o of overlays) {
        await waitFor(() => programmedExactly(lab, etcd, o), { what: `every host programmed for every peer of ${o.spec.prefix}` });
      }
    });
    afterAll(async () => {
      await lab?.destroy();
      await tmp?.remove();
    });

    it('carries each overlay’s traffic between its own pods', async () => {
      for (const o of overlays) expect(await pingAll(lab, o.pods)).toEqual([]);
    });

    it('gives every daemon exactly its own routes, neighbour and fdb entries, devices and masq chains', async () => {
      const nets = overlays.map((o) => o.net);
      for (const [i, h] of lab.hosts.entries()) {
        for (const o of overlays) expect(await actualEntries(lab, o, i)).toEqual(await wantedEntries(etcd, o, i));
        // Nothing else in the main table but the host's own routes.
        expect(await otherRoutes(lab, h, nets)).toEqual(hostRoutes[i]);
        const vxlanDevices = (await lab.exec(h.ns, ['ip', '-o', 'link', 'show', 'type', 'vxlan'])).stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split(': ')[1]!);
        expect(vxlanDevices.sort()).toEqual(overlays.flatMap((o) => (o.device ? [o.device] : [])).sort());

        const rules = await flannelRules(lab, h);
        const tables = await nftTables(lab, h);
        const chains = overlays.map((o) => chainsOf(o.spec.prefix));
        expect(new Set(chains.flatMap((c) => [c.postrouting, c.forward, c.nftTable])).size).toBe(6);
        const nft = (o: Overlay) => o.spec.masqBackend === 'nftables';
        expect([...tables.keys()].filter((t) => t.startsWith('flannel')).sort()).toEqual(
          overlays.filter(nft).map((o) => chainsOf(o.spec.prefix).nftTable).sort(),
        );
        for (const [k, o] of overlays.entries()) {
          const { postrouting, forward, nftTable } = chains[k]!;
          const net = o.spec.network;
          const own = subnetOf(o.daemons[i]!);
          if (nft(o)) {
            // Its own table only: four masquerade rules and two accept rules, for its network and subnet.
            const body = tables.get(nftTable)!;
            expect(body).toHaveLength(6);
            expect(body.every((l) => l.includes(net) || l.includes(own))).toBe(true);
            expect(rules.filter((l) => l.includes(postrouting) || l.includes(forward))).toEqual([]);
            continue;
          }
          const body = (chain: string) => rules.filter((l) => l.startsWith(`-A ${chain} `));
          expect(rules.filter((l) => l.startsWith('-A POSTROUTING') && l.endsWith(`-j ${postrouting}`))).toHaveLength(1);
          expect(rules.filter((l) => l.startsWith('-A FORWARD') && l.endsWith(`-j ${forward}`))).toHaveLength(1);
          // Go flanneld v0.20's four masquerade rules and two accept rules, for this daemon's network and subnet only.
          expect(body(postrouting)).toHaveLength(4);
          expect(body(postrouting).every((l) => l.includes(net) || l.includes(own))).toBe(true);
          expect(body(postrouting).some((l) => l.includes(`-d ${own}`))).toBe(true);
          expect(body(forward)).toEqual([
            `-A ${forward} -s ${net} -m comment --comment "flanneld forward" -j ACCEPT`,
            `-A ${forward} -d ${net} -m comment --comment "flanneld forward" -j ACCEPT`,
          ]);
        }
        // No iptables rule of ours outside the chains and jumps of the iptables daemons.
        const ours = (l: string) => chains.some((c, k) => !nft(overlays[k]!) && (l.includes(c.postrouting) || l.includes(c.forward)));
        expect(rules.filter((l) => !ours(l))).toEqual([]);
      }
    });

    it('keeps distinct state directories, locks and env files', async () => {
      for (const h of lab.hosts) {
        const daemons = overlays.map((o) => ({ o, d: o.daemons[lab.hosts.indexOf(h)]! }));
        const root = stateRoot(tmp.path, h);
        const ids = daemons.map(({ o, d }) => daemonIdentity(o.spec.prefix, d.subnetFile, root));
        // Beside the daemons' directories: flanneld's code cache, shared.
        expect(readdirSync(root).filter((name) => name !== 'code-cache').sort()).toEqual(ids.map((x) => x.id).sort());
        for (const [k, { o, d }] of daemons.entries()) {
          const dir = ids[k]!.stateDir;
          const vni = o.spec.backend.Type === 'vxlan' ? o.spec.backend.VNI : undefined;
          expect(readdirSync(dir).sort()).toEqual(['backend-type', 'backend.lock', ...(vni !== undefined ? [`vtep-mac.${vni}`] : [])]);
          expect(readFileSync(path.join(dir, 'backend-type'), 'utf8')).toBe(`${o.spec.backend.Type}\n`);
          // Each daemon's backend holds its own lock: flock(1) cannot take either.
          expect((await run('flock', ['-n', path.join(dir, 'backend.lock'), 'true'])).exitCode).toBe(1);
          expect(envValue(d.env(), 'FLANNEL_NETWORK')).toBe(o.spec.network);
          expect(containsIP4(o.net, parseIP4(envValue(d.env(), 'FLANNEL_SUBNET')!.split('/')[0]!))).toBe(true);
        }
        expect(new Set(daemons.map(({ d }) => d.subnetFile)).size).toBe(2);
        expect(daemons.every(({ d }) => existsSync(d.subnetFile) && readFileSync(d.subnetFile, 'utf8').includes('FLANNEL_IPMASQ=true'))).toBe(true);
      }
    });

    for (const victim of [0, 1]) {
      it(`SIGTERM and restart of ${specs[victim]!.prefix}'s daemon on h1 cost the other overlay no packet and no kernel change`, async () => {
        const [stopped, other] = [overlays[victim]!, overlays[1 - victim]!];
        const d = stopped.daemons[0]!;
        // Changes on h1 and h2 touching the other overlay: routes into its network, entries of its device.
        const touchesOther = (e: IpMonitorEvent) =>
          (e.kind === 'route' && e.dst !== undefined && /^\d+\.\d+\.\d+\.\d+/.test(e.dst) && containsIP4(other.net, parseIP4(e.dst.split('/')[0]!))) ||
          (e.kind === 'neigh' && other.device !== undefined && e.dev === other.device);
        const monitors = await Promise.all(lab.hosts.slice(0, 2).map((h) => startIpMonitor(lab, h.ns, ['route', 'neigh'], { ipv6: true })));
        // Into h1 and out of it, on the other overlay, every 10 ms.
        const pings = [
          startPing(lab, other.pods[1]!.ns, other.pods[0]!.ip, { intervalMs: 10 }),
          startPing(lab, other.pods[0]!.ns, other.pods[2]!.ip, { intervalMs: 10 }),
        ];
        const moreReplies = async (n: number) => {
          const base = pings.map((p) => pingReplies(p.outputFile));
          await waitFor(() => pings.every((p, k) => pingReplies(p.outputFile) >= base[k]! + n), { what: `${n} more ping replies on ${other.spec.prefix}` });
        };
        await moreReplies(20);

        const runs = () => d.messages().filter((m) => m === 'Running backend.').length;
        // The kernel entries outlive the stop: only the restarted backend's first pass with its peers
        // shows it has done its work, which the monitors must see.
        const snapshotPasses = () => d.messages().filter((m) => m.startsWith('Reconciled') && m.includes('(snapshot)')).length;
        const before = runs();
        const passesBefore = snapshotPasses();
        expect(passesBefore).toBeGreaterThan(0);
        expect((await d.proc.stop()).code).toBe(0);
        await moreReplies(50);
        d.restart();
        await waitFor(() => runs() > before, { what: `${stopped.spec.prefix}'s daemon on h1 to run again` });
        await waitFor(() => snapshotPasses() > passesBefore, { what: `${stopped.spec.prefix}'s restarted backend to pass over its peers` });
        await waitFor(() => programmedExactly(lab, etcd, stopped), { what: `${stopped.spec.prefix} programmed exactly again` });
        await moreReplies(50);

        for (const p of pings) {
          const stats = await p.stop();
          expect(stats.received).toBeGreaterThan(100);
          expect(stats.lossPercent).toBe(0);
        }
        for (const m of monitors) {
          expect(m.events().filter(touchesOther).map((e) => e.raw)).toEqual([]);
          await m.stop();
        }
        expect(await programmedExactly(lab, etcd, other)).toBe(true);
        for (const o of overlays) expect(await pingAll(lab, o.pods)).toEqual([]);
      });
    }
  });
}
