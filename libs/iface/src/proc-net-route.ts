import { ip4Net, type IP4 } from '@flannel-ts/ip';
import type { SnapshotRoute } from './snapshot.js';

const RTF_UP = 0x0001;
const RTF_GATEWAY = 0x0002;
const RTF_REJECT = 0x0200;
const HEX32 = /^[0-9A-Fa-f]{8}$/;
const HEX_FLAGS = /^[0-9A-Fa-f]{1,8}$/;

export type Endianness = 'LE' | 'BE';

/**
 * Parses the text of /proc/net/route (the IPv4 main table). The kernel prints each address as the
 * host-order integer of its network-order bytes, so on little-endian hosts the bytes come reversed.
 * Routes that are down, reject routes and routes without a device are left out.
 */
export function parseProcNetRoute(text: string, endianness: Endianness): SnapshotRoute[] {
  const routes: SnapshotRoute[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === '' || fields[0] === 'Iface') return;
    const where = `/proc/net/route line ${i + 1}`;
    const [iface, dstHex, gatewayHex, flagsHex, , , metricText, maskHex] = fields;
    if (iface === undefined || dstHex === undefined || gatewayHex === undefined || flagsHex === undefined ||
        metricText === undefined || maskHex === undefined) {
      throw new Error(`${where}: expected at least 8 fields, got ${fields.length}: "${line.trim()}"`);
    }
    if (!HEX_FLAGS.test(flagsHex)) throw new Error(`${where}: invalid Flags "${flagsHex}"`);
    const flags = Number.parseInt(flagsHex, 16);
    if ((flags & RTF_UP) === 0 || (flags & RTF_REJECT) !== 0 || iface === '*') return;
    if (!/^\d+$/.test(metricText)) throw new Error(`${where}: invalid Metric "${metricText}"`);
    const dst = toIP4(parseHex32(dstHex, where, 'Destination'), endianness);
    const mask = toIP4(parseHex32(maskHex, where, 'Mask'), endianness);
    const gateway = toIP4(parseHex32(gatewayHex, where, 'Gateway'), endianness);
    routes.push({
      iface,
      dst: ip4Net(dst, prefixLenOfMask(mask, where)),
      ...((flags & RTF_GATEWAY) !== 0 && gateway !== 0 ? { gateway } : {}),
      metric: Number(metricText),
    });
  });
  return routes;
}

function parseHex32(text: string, where: string, field: string): number {
  if (!HEX32.test(text)) throw new Error(`${where}: invalid ${field} "${text}"`);
  return Number.parseInt(text, 16);
}

function toIP4(printed: number, endianness: Endianness): IP4 {
  if (endianness === 'BE') return printed;
  return (((printed & 0xff) << 24) | (((printed >>> 8) & 0xff) << 16) | (((printed >>> 16) & 0xff) << 8) |
    (printed >>> 24)) >>> 0;
}

function prefixLenOfMask(mask: IP4, where: string): number {
  const len = Math.clz32(~mask >>> 0);
  const contiguous = len === 32 ? mask === 0xffffffff : ((mask << len) >>> 0) === 0;
  if (!contiguous) throw new Error(`${where}: Mask ${mask.toString(16)} is not a contiguous prefix`);
  return len;
}
