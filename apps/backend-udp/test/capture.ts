import { existsSync, readFileSync } from 'node:fs';
import type { Lab } from '@flannel-ts/testing';
import { iperf3Client, iperf3Server, waitFor } from '@flannel-ts/testing';
import { readPcap, udpOfEthernet, type UdpDatagram } from './pcap.js';

export interface Capture {
  /** Resolves once tcpdump has written `count` packets and exited. */
  readonly done: Promise<void>;
  readonly file: string;
  stop(): Promise<void>;
}

/** `tcpdump -n -i <iface> -c <count> -w <file> <filter>` inside `ns`, resolved once it listens. */
export async function startCapture(lab: Lab, ns: string, iface: string, filter: string, count: number, file: string): Promise<Capture> {
  const log = `${file}.log`;
  const proc = lab.spawn(ns, ['tcpdump', '-n', '-U', '-i', iface, '-c', String(count), '-w', file, filter], { stdout: log, stderr: log });
  await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes('listening on'), { what: `tcpdump on ${iface} in ${ns}` });
  return {
    file,
    done: proc.exited.then(() => undefined),
    async stop() {
      await proc.stop(1_000);
    },
  };
}

/**
 * Runs 1 s of iperf3 from `from` to `to` (pod addresses) and captures, on the switch bridge, the
 * first 200 full-size datagrams `senderIp` puts on the wire. The sender's underlay eth0 does not
 * segment UDP GSO during the capture, so the capture shows what a real wire carries.
 */
export async function captureTcpDatagrams(
  lab: Lab,
  sender: { ns: string; ip: string },
  from: { ns: string },
  to: { ns: string; ip: string },
  file: string,
): Promise<UdpDatagram[]> {
  await lab.exec(sender.ns, ['ethtool', '-K', 'eth0', 'tx-udp-segmentation', 'off']);
  try {
    const wire = await startCapture(lab, lab.switchNs, 'br0', `udp and src host ${sender.ip} and dst port 8285 and greater 1000`, 200, file);
    const listening = await iperf3Server(lab, to.ns);
    await iperf3Client(lab, from.ns, to.ip, { seconds: 1 });
    await listening.exited;
    await wire.done;
    return readPcap(wire.file).frames.map((frame) => udpOfEthernet(frame)!);
  } finally {
    await lab.exec(sender.ns, ['ethtool', '-K', 'eth0', 'tx-udp-segmentation', 'on']);
  }
}
