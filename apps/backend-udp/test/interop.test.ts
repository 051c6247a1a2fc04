import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addPod,
  createLab,
  iperf3Client,
  iperf3Server,
  pingOnce,
  tempDir,
  waitFor,
  type Lab,
  type LabProcess,
  type Pod,
  type TempDir,
} from '@flannel-ts/testing';
import { captureTcpDatagrams } from './capture.js';
import { parseIpv4 } from './pcap.js';
import { BACKEND, NETWORK, PYTHON_PEER } from './udp-lab.js';

// Three hosts, each a different udp peer: ours with offloads (h1), ours on the plain path (h2), and
// the python3 peer written from Go flanneld's wire format (h3). Standalone backends, no etcd: flags only.
const SUBNETS = ['10.244.1.0/24', '10.244.2.0/24', '10.244.3.0/24'];
const CONFIGS = ['{"Type":"udp"}', '{"Type":"udp","Offloads":false}'];

let lab: Lab;
let tmp: TempDir;
let pods: Pod[];
const procs: LabProcess[] = [];
const stdout = (i: number) => path.join(tmp.path, `h${i + 1}.out`);
const messages = (i: number) =>
  readFileSync(stdout(i), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; detail?: string; mtu?: number; backendType?: string });

beforeAll(async () => {
  tmp = await tempDir('udp-interop');
  lab = await createLab({ hosts: 3 });
  const peerFlags = (self: number) => SUBNETS.flatMap((s, j) => (j === self ? [] : ['-peer', `${s}=${lab.hosts[j]!.ip}`]));
  for (const i of [0, 1]) {
    const cmd = [BACKEND, '-network', NETWORK, '-subnet', SUBNETS[i]!, ...peerFlags(i), '-iface', 'eth0', '-state-dir', path.join(tmp.path, `s${i}`), '-backend-config', CONFIGS[i]!];
    procs.push(lab.spawn(lab.hosts[i]!.ns, cmd, { stdout: stdout(i), stderr: path.join(tmp.path, `h${i + 1}.err`) }));
  }
  const peerLog = path.join(tmp.path, 'python.log');
  procs.push(
    lab.spawn(lab.hosts[2]!.ns, ['python3', PYTHON_PEER, '--lease', SUBNETS[2]!, '--network', NETWORK, '--bind', lab.hosts[2]!.ip, ...[0, 1].flatMap((j) => ['--peer', `${SUBNETS[j]}=${lab.hosts[j]!.ip}`])], {
      stdout: peerLog,
      stderr: peerLog,
    }),
  );
  await waitFor(() => [0, 1].every((i) => messages(i).some((m) => m.type === 'ready')) && readFileSync(peerLog, 'utf8').includes('ready'), {
    what: 'the three peers',
  });
  pods = await Promise.all([0, 1].map((i) => addPod(lab, lab.hosts[i]!, { subnet: SUBNETS[i]!.replace('.0/24', '.1/24'), mtu: 1472 })));
});

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  await lab?.destroy();
  await tmp?.remove();
});

describe('udp peers of three kinds: offloads on, plain path, an independent python3 peer', () => {
  it('propose MTU 1472 and no backend type, and run the path asked for', () => {
    expect(messages(0)[0]).toEqual({ v: 1, type: 'propose', mtu: 1472 });
    expect(messages(1)[0]).toEqual({ v: 1, type: 'propose', mtu: 1472 });
    expect(messages(0).filter((m) => m.type === 'status').at(-1)?.detail).toBe('flannel0 10.244.1.0/32, 2 peers, offloads on, gso, gro');
    expect(messages(1).filter((m) => m.type === 'status').at(-1)?.detail).toBe('flannel0 10.244.2.0/32, 2 peers, plain path');
  });

  it('ping each other in every direction', async () => {
    const targets = [pods[0]!.ip, pods[1]!.ip, '10.244.3.1'];
    const from = [pods[0]!.ns, pods[1]!.ns, lab.hosts[2]!.ns];
    const failures: string[] = [];
    for (const [i, ns] of from.entries()) {
      for (const [j, target] of targets.entries()) {
        if (i !== j && !(await pingOnce(lab, ns, target, { timeoutS: 2 }))) failures.push(`${i + 1} -> ${j + 1}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('carry full-size packets (DF) both ways between every two kinds', async () => {
    // 1444 bytes of ICMP payload + 28 of headers = 1472, the TUN MTU.
    for (const [ns, target] of [
      [pods[0]!.ns, pods[1]!.ip],
      [pods[1]!.ns, pods[0]!.ip],
      [pods[0]!.ns, '10.244.3.1'],
      [pods[1]!.ns, '10.244.3.1'],
    ] as const) {
      expect(await pingOnce(lab, ns, target, { size: 1444, dontFragment: true, timeoutS: 2 }), `${ns} → ${target}`).toBe(true);
    }
  });

  it('carry TCP both ways between offloads on and off, and with the python peer', async () => {
    const h3 = lab.hosts[2]!.ns;
    // Whether TCP flows, not how fast: the rates are tools/bench's.
    const pairs: Array<[string, string, string]> = [
      ['on → off', pods[0]!.ns, pods[1]!.ns],
      ['off → on', pods[1]!.ns, pods[0]!.ns],
      ['on → python', pods[0]!.ns, h3],
      ['python → on', h3, pods[0]!.ns],
      ['off → python', pods[1]!.ns, h3],
      ['python → off', h3, pods[1]!.ns],
    ];
    const addressOf = (ns: string) => (ns === h3 ? '10.244.3.1' : pods.find((p) => p.ns === ns)!.ip);
    for (const [what, client, server] of pairs) {
      const listening = await iperf3Server(lab, server);
      const result = await iperf3Client(lab, client, addressOf(server), { seconds: 1 });
      await listening.exited;
      expect(result.bitsPerSecond, what).toBeGreaterThan(0);
    }
  });

  it('on the plain path too, put exactly one ≤ MTU inner packet in each datagram on the wire (seen where the sender segments the UDP GSO)', async () => {
    const datagrams = await captureTcpDatagrams(lab, lab.hosts[1]!, pods[1]!, pods[0]!, path.join(tmp.path, 'plain.pcap'));
    expect(datagrams).toHaveLength(200);
    for (const udp of datagrams) {
      expect(udp.outer.totalLength).toBeLessThanOrEqual(1500);
      const inner = parseIpv4(udp.payload);
      expect(inner).toMatchObject({ src: pods[1]!.ip, dst: pods[0]!.ip, protocol: 6, headerChecksumOk: true, payloadChecksumOk: true });
      expect(inner.totalLength).toBe(udp.payload.length);
    }
  });

  it('carry UDP with the checksums the kernel left to the TUN completed (offloads on → plain, python)', async () => {
    // A pod's UDP leaves its veth with a partial checksum; the TUN hands it over that way (TUN_F_CSUM).
    // The receiver's kernel drops a datagram whose checksum is wrong, so arriving is the check. UDP
    // may also lose one on a loaded machine: the three are sent again until each has arrived.
    const SIZES = ['10', '1000', '1444'];
    const receive = `import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(('0.0.0.0',9999))\ns.settimeout(120)\nprint('listening',flush=True)\nseen=set()\nwhile seen!={${SIZES.join(',')}}:\n  n=len(s.recv(65535))\n  seen.add(n)\n  print(n,flush=True)`;
    const send = (target: string) =>
      `import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\nfor n in (${SIZES.join(',')}): s.sendto(bytes(n),('${target}',9999))`;
    for (const [server, target] of [
      [pods[1]!.ns, pods[1]!.ip],
      [lab.hosts[2]!.ns, '10.244.3.1'],
    ] as const) {
      const log = path.join(tmp.path, `udp-${target}.log`);
      const receiver = lab.spawn(server, ['python3', '-c', receive], { stdout: log, stderr: log });
      const lines = () => readFileSync(log, 'utf8').split('\n').filter(Boolean);
      await waitFor(() => lines().includes('listening'), { what: 'the UDP receiver' });
      await waitFor(
        async () => {
          if (SIZES.every((size) => lines().includes(size))) return true;
          expect((await lab.exec(pods[0]!.ns, ['python3', '-c', send(target)])).exitCode).toBe(0);
          return false;
        },
        { intervalMs: 200, what: `UDP datagrams of ${SIZES.join(', ')} bytes at ${target}` },
      );
      await receiver.exited;
      const [first, ...received] = lines();
      expect(first).toBe('listening');
      expect(new Set(received)).toEqual(new Set(SIZES)); // nothing else, nothing cut
    }
  });
});
