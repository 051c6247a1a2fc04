import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIP4, formatIP4Net, ip4Net, parseIP4 } from '@flannel-ts/ip';
import { createLab, tempDir, waitFor, type Lab, type TempDir } from '@flannel-ts/testing';

const BINARY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist/apps/backend-vxlan/flannel-backend-vxlan');
/** Above the count from which the backend adds routes off its main thread. */
const PEERS = 2_100;

let lab: Lab;
let tmp: TempDir;

beforeAll(async () => {
  tmp = await tempDir('vxlan-standalone');
  lab = await createLab({ hosts: 1 });
});
afterAll(async () => {
  await lab?.destroy();
  await tmp?.remove();
});

const subnetOf = (i: number) => ip4Net(parseIP4('10.0.0.0') + i * 256, 24);
const macOf = (i: number) => `0a:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}:01`;
const publicIpOf = (i: number) => `192.0.2.${100 + (i % 2)}`;

async function lines(argv: string[]): Promise<string[]> {
  return (await lab.exec(lab.hosts[0]!.ns, argv)).stdout.split('\n').map((l) => l.trim()).filter(Boolean);
}

describe('flannel-backend-vxlan joining thousands of peers', () => {
  it('puts every peer route, neighbour and fdb entry in, the routes from a pool thread', { timeout: 120_000 }, async () => {
    const snapshot = Array.from({ length: PEERS }, (_, k) => ({
      subnet: formatIP4Net(subnetOf(k + 2)),
      publicIp: publicIpOf(k),
      backendType: 'vxlan',
      backendData: { VNI: 1, VtepMAC: macOf(k + 2) },
    }));
    const input = path.join(tmp.path, 'in.ndjson');
    writeFileSync(input, `${JSON.stringify({ v: 1, type: 'peers', snapshot })}\n`);
    const log = path.join(tmp.path, 'err.log');
    const proc = lab.spawn(
      lab.hosts[0]!.ns,
      ['sh', '-c', `exec "$0" "$@" < ${input}`, BINARY, '-network', '10.0.0.0/8', '-subnet', '10.0.1.0/24', '-iface', 'eth0', '-state-dir', path.join(tmp.path, 'state'), '-stdin'],
      { stdout: path.join(tmp.path, 'out.ndjson'), stderr: log },
    );
    const passLine = () => readFileSync(log, 'utf8').split('\n').find((l) => l.includes(`Reconciled ${PEERS} vxlan peers`) && l.includes('(snapshot)'));
    await waitFor(passLine, { what: 'the pass over the snapshot', timeoutMs: 100_000 });
    expect(passLine()).toContain(`neighbours +${PEERS} -0 =0, fdb +${PEERS} -0 =0, routes +${PEERS} -0 =0`);

    const routes = await lines(['ip', '-4', 'route', 'show', 'dev', 'flannel.1']);
    const neighs = await lines(['ip', '-4', 'neigh', 'show', 'dev', 'flannel.1', 'nud', 'permanent']);
    const fdb = (await lines(['bridge', 'fdb', 'show', 'dev', 'flannel.1'])).filter((l) => l.includes(' dst '));
    expect([routes.length, neighs.length, fdb.length]).toEqual([PEERS, PEERS, PEERS]);
    const last = PEERS + 1;
    const gw = formatIP4(subnetOf(last).ip);
    expect(routes).toContain(`${formatIP4Net(subnetOf(last))} via ${gw} onlink`);
    expect(neighs).toContain(`${gw} lladdr ${macOf(last)} PERMANENT`);
    expect(fdb).toContain(`${macOf(last)} dst ${publicIpOf(last - 2)} self permanent`);
    // The pool thread that ran a batch of netlink changes is named after it (libs/netlink).
    const threads = readdirSync(`/proc/${proc.pid}/task`).map((tid) => readFileSync(`/proc/${proc.pid}/task/${tid}/comm`, 'utf8').trim());
    expect(threads).toContain('netlink-batch');
    expect((await proc.stop()).code).toBe(0);
  });
});
