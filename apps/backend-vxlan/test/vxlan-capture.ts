import { existsSync, readFileSync } from 'node:fs';
import { waitFor, type Lab } from '@flannel-ts/testing';

/** One VXLAN packet seen on the wire. */
export interface VxlanFrame {
  readonly outerSrc: string;
  readonly outerDst: string;
  readonly udpDstPort: number;
  /** The 8-byte VXLAN header: flags (0x08: VNI valid) and the 24-bit VNI. */
  readonly flags: number;
  readonly vni: number;
  /** The encapsulated Ethernet frame's destination and source MAC. */
  readonly innerDstMac: string;
  readonly innerSrcMac: string;
}

/**
 * Reads a classic pcap file (Ethernet link type) and decodes IPv4/UDP packets as VXLAN: outer
 * Ethernet (14) + IPv4 (IHL*4) + UDP (8) + VXLAN (8) + inner Ethernet.
 */
export function readVxlanPcap(file: string): VxlanFrame[] {
  const buf = readFileSync(file);
  const magic = buf.readUInt32LE(0);
  if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error(`${file}: not a little-endian pcap file (magic ${magic.toString(16)})`);
  if (buf.readUInt32LE(20) !== 1) throw new Error(`${file}: link type ${buf.readUInt32LE(20)}, not Ethernet`);
  const frames: VxlanFrame[] = [];
  for (let at = 24; at + 16 <= buf.length; ) {
    const len = buf.readUInt32LE(at + 8);
    const pkt = buf.subarray(at + 16, at + 16 + len);
    at += 16 + len;
    if (pkt.readUInt16BE(12) !== 0x0800) continue;
    const ip = pkt.subarray(14);
    if (ip[9] !== 17) continue;
    const udp = ip.subarray((ip[0]! & 0x0f) * 4);
    const vx = udp.subarray(8);
    const inner = vx.subarray(8);
    frames.push({
      outerSrc: [...ip.subarray(12, 16)].join('.'),
      outerDst: [...ip.subarray(16, 20)].join('.'),
      udpDstPort: udp.readUInt16BE(2),
      flags: vx[0]!,
      vni: vx.readUIntBE(4, 3),
      innerDstMac: mac(inner.subarray(0, 6)),
      innerSrcMac: mac(inner.subarray(6, 12)),
    });
  }
  return frames;
}

const mac = (b: Buffer): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');

/**
 * Starts `tcpdump -n -i br0 -c <count> -w <file> udp port <port>` in the switch namespace and
 * resolves once it listens; `done` resolves when it has captured `count` packets.
 */
export async function captureOnSwitch(lab: Lab, file: string, { count = 5, port = 8472 } = {}): Promise<{ done: Promise<void>; stop(): Promise<void> }> {
  const log = `${file}.log`;
  const child = lab.spawn(lab.switchNs, ['tcpdump', '-n', '-i', 'br0', '-c', String(count), '-U', '-w', file, 'udp', 'port', String(port)], {
    stdout: log,
    stderr: log,
  });
  await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes('listening on'), { what: 'tcpdump to listen on br0' });
  return {
    done: child.exited.then((exit) => {
      if (exit.code !== 0) throw new Error(`tcpdump exited ${exit.code ?? exit.signal}: ${readFileSync(log, 'utf8').trim()}`);
    }),
    stop: async () => void (await child.stop(0)),
  };
}
