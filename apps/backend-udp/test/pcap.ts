import { readFileSync } from 'node:fs';

/** The IPv4 fields the tests look at, and whether its checksums hold. */
export interface Ipv4Packet {
  readonly version: number;
  readonly headerLength: number;
  readonly totalLength: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly src: string;
  readonly dst: string;
  readonly headerChecksumOk: boolean;
  /** TCP/UDP/ICMP checksum over the payload (undefined for other protocols). */
  readonly payloadChecksumOk?: boolean;
  readonly payload: Buffer;
}

export interface UdpDatagram {
  readonly outer: Ipv4Packet;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload: Buffer;
}

/** The frames of a classic pcap file (tcpdump -w), little- or big-endian, Ethernet or raw IP. */
export function readPcap(file: string): { linkType: number; frames: Buffer[] } {
  const data = readFileSync(file);
  if (data.length < 24) throw new Error(`${file}: not a pcap file (${data.length} bytes)`);
  const magic = data.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && data.readUInt32BE(0) !== 0xa1b2c3d4 && data.readUInt32BE(0) !== 0xa1b23c4d) throw new Error(`${file}: bad pcap magic`);
  const u32 = (offset: number) => (le ? data.readUInt32LE(offset) : data.readUInt32BE(offset));
  const linkType = u32(20);
  const frames: Buffer[] = [];
  for (let offset = 24; offset + 16 <= data.length; ) {
    const captured = u32(offset + 8);
    frames.push(data.subarray(offset + 16, offset + 16 + captured));
    offset += 16 + captured;
  }
  return { linkType, frames };
}

/** The IPv4 packet inside an Ethernet frame (link type 1), or undefined. */
export function ipv4OfEthernet(frame: Buffer): Ipv4Packet | undefined {
  if (frame.length < 14 || frame.readUInt16BE(12) !== 0x0800) return undefined;
  return parseIpv4(frame.subarray(14));
}

export function parseIpv4(bytes: Buffer): Ipv4Packet {
  const headerLength = (bytes[0]! & 0x0f) * 4;
  const totalLength = bytes.readUInt16BE(2);
  const protocol = bytes[9]!;
  const payload = bytes.subarray(headerLength, totalLength);
  const src = [...bytes.subarray(12, 16)].join('.');
  const dst = [...bytes.subarray(16, 20)].join('.');
  let payloadChecksumOk: boolean | undefined;
  if (protocol === 6 || protocol === 17) {
    const pseudo = Buffer.alloc(12);
    bytes.copy(pseudo, 0, 12, 20);
    pseudo[9] = protocol;
    pseudo.writeUInt16BE(payload.length, 10);
    payloadChecksumOk = onesComplementSum(Buffer.concat([pseudo, payload])) === 0xffff;
  } else if (protocol === 1) {
    payloadChecksumOk = onesComplementSum(payload) === 0xffff;
  }
  return {
    version: bytes[0]! >> 4,
    headerLength,
    totalLength,
    ttl: bytes[8]!,
    protocol,
    src,
    dst,
    headerChecksumOk: onesComplementSum(bytes.subarray(0, headerLength)) === 0xffff,
    ...(payloadChecksumOk === undefined ? {} : { payloadChecksumOk }),
    payload,
  };
}

/** The UDP datagram inside an Ethernet frame, or undefined. */
export function udpOfEthernet(frame: Buffer): UdpDatagram | undefined {
  const outer = ipv4OfEthernet(frame);
  if (outer === undefined || outer.protocol !== 17) return undefined;
  const udp = outer.payload;
  return { outer, srcPort: udp.readUInt16BE(0), dstPort: udp.readUInt16BE(2), payload: udp.subarray(8, udp.readUInt16BE(4)) };
}

function onesComplementSum(bytes: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += bytes.readUInt16BE(i);
  if (bytes.length % 2 === 1) sum += bytes[bytes.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}
