import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPod, createLab, iperf3Client, iperf3Server, type Lab, type LabHost, type Pod } from '../src/index.js';

describe('iperf3 between pods', () => {
  let lab: Lab;
  let p1: Pod;
  let p2: Pod;
  beforeAll(async () => {
    lab = await createLab({ hosts: 2 });
    const [h1, h2] = lab.hosts as [LabHost, LabHost];
    [p1, p2] = await Promise.all([
      addPod(lab, h1, { subnet: '10.244.1.1/24', mtu: 1500 }),
      addPod(lab, h2, { subnet: '10.244.2.1/24', mtu: 1500 }),
    ]);
    for (const [host, subnet, via] of [[h1, p2.subnet, h2.ip], [h2, p1.subnet, h1.ip]] as const) {
      const added = await lab.exec(host.ns, ['ip', 'route', 'add', subnet, 'via', via]);
      expect(added.exitCode, added.stderr).toBe(0);
    }
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  it('measures a positive rate through the hand-made routes; the server serves one test and exits', async () => {
    const server = await iperf3Server(lab, p2.ns, { port: 5301 });
    const result = await iperf3Client(lab, p1.ns, p2.ip, { port: 5301, seconds: 1, streams: 2 });
    expect(result.bitsPerSecond).toBeGreaterThan(0);
    expect(result.retransmits).toBeGreaterThanOrEqual(0);
    expect((await server.exited).code).toBe(0);
  });

  it('reports a client that finds no server, naming the target', async () => {
    await expect(iperf3Client(lab, p1.ns, p2.ip, { port: 5302, seconds: 1 })).rejects.toThrow(
      `iperf3 from ${p1.ns} to ${p2.ip}:5302: iperf3: unable to connect to server`,
    );
  });

  it('reports a server that cannot listen', async () => {
    const first = await iperf3Server(lab, p2.ns, { port: 5303 });
    await expect(iperf3Server(lab, p2.ns, { port: 5303 })).rejects.toThrow(
      /starting iperf3 -s -p 5303 in .*-p2: iperf3 -s exited \(code 1\); output: .*Address already in use/,
    );
    await first.stop();
  });
});
