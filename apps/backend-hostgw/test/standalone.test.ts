import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, startIpMonitor, tempDir, waitFor, type Lab, type TempDir } from '@flannel-ts/testing';

const BINARY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist/apps/backend-hostgw/flannel-backend-hostgw');

let lab: Lab;
let tmp: TempDir;

beforeAll(async () => {
  tmp = await tempDir('hostgw-standalone');
  lab = await createLab({ hosts: 2 });
});
afterAll(async () => {
  await lab?.destroy();
  await tmp?.remove();
});

const routes = async () => (await lab.exec(lab.hosts[0]!.ns, ['ip', '-4', 'route'])).stdout;
const lines = (file: string) =>
  readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string });

describe('flannel-backend-hostgw run by hand', () => {
  it('programs peers given by flags and NDJSON on stdin, prints its messages, and keeps routes on exit', async () => {
    const out = path.join(tmp.path, 'out.ndjson');
    const input = path.join(tmp.path, 'in.ndjson');
    // One more peer arrives as a peer-events line on stdin.
    const extra = { v: 1, type: 'peer-events', events: [{ type: 'added', lease: { subnet: '10.244.3.0/24', publicIp: '192.0.2.12', backendType: 'host-gw' } }] };
    writeFileSync(input, `${JSON.stringify(extra)}\n`);
    const proc = lab.spawn(
      lab.hosts[0]!.ns,
      ['sh', '-c', `exec "$0" "$@" < ${input}`, BINARY, '-network', '10.244.0.0/16', '-subnet', '10.244.1.0/24', '-peer', '10.244.2.0/24=192.0.2.12', '-iface', 'eth0', '-state-dir', path.join(tmp.path, 'state'), '-stdin'],
      { stdout: out, stderr: path.join(tmp.path, 'err.log') },
    );
    await waitFor(async () => (await routes()).includes('10.244.3.0/24 via 192.0.2.12 dev eth0'), { what: 'the route from stdin' });
    expect(await routes()).toContain('10.244.2.0/24 via 192.0.2.12 dev eth0');
    expect(lines(out).map((m) => m.type).filter((t) => t !== 'status').slice(0, 2)).toEqual(['propose', 'ready']);
    expect(lines(out)[0]).toMatchObject({ backendType: 'host-gw', mtu: 1500 });
    expect((await proc.stop()).code).toBe(0);
    expect(await routes()).toContain('10.244.2.0/24 via 192.0.2.12 dev eth0');
  });

  it('refuses a second backend of the same daemon, naming the lock', async () => {
    const state = path.join(tmp.path, 'state2');
    const args = ['-network', '10.244.0.0/16', '-subnet', '10.244.1.0/24', '-iface', 'eth0', '-state-dir', state, '-stdin'];
    const first = lab.spawn(lab.hosts[0]!.ns, ['sh', '-c', 'sleep 30 | exec "$0" "$@"', BINARY, ...args], { stdout: path.join(tmp.path, 'o1') });
    await waitFor(() => readFileSync(path.join(tmp.path, 'o1'), 'utf8').includes('"ready"'), { what: 'the first backend' });
    const second = await lab.exec(lab.hosts[0]!.ns, [BINARY, ...args], { input: '' });
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toContain(`${state}/backend.lock`);
    await first.stop();
  });
});

describe('flannel-backend-hostgw, peer changes during a full pass', () => {
  it('keeps every change that arrives while a full pass gathers its routes', async () => {
    const ns = lab.hosts[0]!.ns;
    // Peers with a PublicIP each, all on-link: the pass asks the kernel about each, in steps.
    await lab.exec(ns, ['ip', 'addr', 'add', '198.18.0.1/15', 'dev', 'eth0']);
    const fifo = path.join(tmp.path, 'gather.fifo');
    execFileSync('mkfifo', [fifo]);
    const log = path.join(tmp.path, 'gather.log');
    const proc = lab.spawn(
      ns,
      ['sh', '-c', `exec "$0" "$@" < ${fifo}`, BINARY, '-network', '10.0.0.0/8', '-subnet', '10.0.1.0/24', '-iface', 'eth0', '-state-dir', path.join(tmp.path, 'state3'), '-stdin', '-v=1'],
      { stdout: path.join(tmp.path, 'gather.out'), stderr: log },
    );
    const input = await open(fifo, 'w');
    try {
      const send = (message: object) => input.write(`${JSON.stringify(message)}\n`);
      const lease = (i: number, publicIp = `198.18.${i >> 8}.${i & 255}`) => ({ subnet: `10.${i >> 8}.${i & 255}.0/24`, publicIp, backendType: 'host-gw' });
      const expected = new Map<string, string>();
      const snapshot = Array.from({ length: 2_000 }, (_, n) => lease(n + 2));
      snapshot.forEach((l) => expected.set(l.subnet, l.publicIp));
      await send({ v: 1, type: 'peers', snapshot });
      const kernel = async () =>
        new Map(
          (await lab.exec(ns, ['ip', '-4', 'route'])).stdout
            .split('\n')
            .map((line) => /^(10\.\S+) via (198\.1[89]\.\S+) dev eth0/.exec(line))
            .flatMap((m) => (m ? [[m[1]!, m[2]!] as const] : [])),
        );
      const matches = async () => {
        const routes = await kernel();
        return routes.size === expected.size && [...expected].every(([dst, via]) => routes.get(dst) === via);
      };
      await waitFor(matches, { what: 'the 2,000 snapshot routes' });
      // So many routes to add go in from libuv pool threads, each named after its netlink batch (libs/netlink).
      const threads = readdirSync(`/proc/${proc.pid}/task`).map((tid) => readFileSync(`/proc/${proc.pid}/task/${tid}/comm`, 'utf8').trim());
      expect(threads).toContain('netlink-batch');
      const monitor = await startIpMonitor(lab, ns);
      const removals: string[] = [];
      const moves: { subnet: string; via: string }[] = [];
      // Each round: delete a route by hand (a full pass follows) and send changes at once: a removal, an
      // addition and a PublicIP move. Until one round's changes landed while its pass was gathering.
      for (let round = 0; !readFileSync(log, 'utf8').includes('went into the full pass being gathered'); round++) {
        if (round === 50) throw new Error('50 rounds and no peer change arrived during a full pass');
        const removed = lease(10 + round);
        const added = lease(3_000 + round);
        const moved = lease(1_000 + round, `198.19.${round}.7`);
        await lab.exec(ns, ['ip', 'route', 'del', lease(500 + round).subnet]);
        await send({ v: 1, type: 'peer-events', events: [{ type: 'removed', lease: removed }] });
        await send({ v: 1, type: 'peer-events', events: [{ type: 'added', lease: added }] });
        await send({ v: 1, type: 'peer-events', events: [{ type: 'added', lease: moved }] });
        removals.push(removed.subnet);
        moves.push({ subnet: moved.subnet, via: moved.publicIp });
        expected.delete(removed.subnet);
        expected.set(added.subnet, added.publicIp);
        expected.set(moved.subnet, moved.publicIp);
        await waitFor(matches, { what: `round ${round}'s routes` });
      }
      // Another full pass later keeps them too.
      await lab.exec(ns, ['ip', 'route', 'del', lease(1_500).subnet]);
      await waitFor(async () => (await kernel()).has(lease(1_500).subnet), { what: 'the route deleted by hand, restored' });
      expect(await matches()).toBe(true);
      // A pass that gathered a peer before its change must not put the old route back afterwards.
      await monitor.stop();
      const events = monitor.events().filter((e) => e.kind === 'route');
      for (const subnet of removals) {
        const ofIt = events.filter((e) => e.dst === subnet);
        const removedAt = ofIt.findIndex((e) => e.deleted);
        expect(removedAt, `${subnet} removed`).toBeGreaterThanOrEqual(0);
        expect(ofIt.slice(removedAt).filter((e) => !e.deleted).map((e) => e.raw)).toEqual([]);
      }
      for (const { subnet, via } of moves) {
        const ofIt = events.filter((e) => e.dst === subnet && !e.deleted);
        const movedAt = ofIt.findIndex((e) => e.raw.includes(`via ${via} `));
        expect(movedAt, `${subnet} moved to ${via}`).toBeGreaterThanOrEqual(0);
        expect(ofIt.slice(movedAt).filter((e) => !e.raw.includes(`via ${via} `)).map((e) => e.raw)).toEqual([]);
      }
    } finally {
      await input.close();
      await proc.stop();
      await lab.exec(ns, ['ip', 'addr', 'del', '198.18.0.1/15', 'dev', 'eth0']);
    }
  });
});
