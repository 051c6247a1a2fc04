import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Daemon, Lab } from '@flannel-ts/testing';
import { envValue } from '@flannel-ts/testing';

const here = path.dirname(fileURLToPath(import.meta.url));
export const BACKEND = path.resolve(here, '../../../dist/apps/backend-udp/flannel-backend-udp');
export const PYTHON_PEER = path.join(here, 'fixtures/python-peer.py');
export const NETWORK = '10.244.0.0/16';

export const subnetOf = (d: Daemon): string => {
  const cidr = envValue(d.env(), 'FLANNEL_SUBNET')!; // e.g. 10.244.7.1/24
  const [ip, len] = cidr.split('/') as [string, string];
  return `${ip.replace(/\.\d+$/, '.0')}/${len}`;
};
/** The TUN address: the lease's own (.0) address. */
export const tunAddressOf = (d: Daemon): string => subnetOf(d).split('/')[0]!;

/** The backend's pid, from flanneld's latest `Started backend … (pid N)`. */
export function backendPid(d: Daemon): number {
  const started = d.messages().filter((m) => m.startsWith('Started backend'));
  return Number(/\(pid (\d+)\)/.exec(started.at(-1) ?? '')?.[1]);
}

/** The counters of the backend's latest status message (flanneld logs them at -v=2). */
export function lastCounters(d: Daemon): Record<string, number> {
  const file = path.join(d.dir, 'flanneld.log');
  if (!existsSync(file)) return {};
  let counters: Record<string, number> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.includes('"backend status"')) continue;
    const status = (JSON.parse(line) as { status?: { counters?: Record<string, number> } }).status;
    if (status?.counters) counters = status.counters;
  }
  return counters;
}

/** `ip -j` output of `args` in `ns`. */
export async function ipJson<T>(lab: Lab, ns: string, args: string[]): Promise<T> {
  const result = await lab.exec(ns, ['ip', '-j', ...args]);
  if (result.exitCode !== 0) throw new Error(`ip ${args.join(' ')} in ${ns}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

export interface TunState {
  readonly addresses: string[];
  readonly mtu: number;
  readonly route: string | undefined;
}

/** flannel0's addresses, MTU and the route to the network through it. */
export async function tunState(lab: Lab, ns: string): Promise<TunState> {
  const [link] = await ipJson<Array<{ mtu: number; addr_info: Array<{ family: string; local: string; prefixlen: number }> }>>(lab, ns, ['addr', 'show', 'dev', 'flannel0']);
  const routes = await ipJson<Array<{ dst: string; dev: string; scope?: string }>>(lab, ns, ['-4', 'route', 'show', NETWORK]);
  const route = routes.find((r) => r.dev === 'flannel0');
  return {
    addresses: (link?.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`),
    mtu: link?.mtu ?? 0,
    route: route && `${route.dst} dev ${route.dev}${route.scope ? ` scope ${route.scope}` : ''}`,
  };
}

/**
 * Python that sends `count` datagrams of each kind to host:port: random bytes, truncated headers,
 * 65,507 bytes (the IPv4 maximum), IPv6, a wrong total length, TTL 1, and an empty one.
 */
export function garbageScript(host: string, port: number, count: number): string {
  return `
import os, socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
dst = (${JSON.stringify(host)}, ${port})
def ipv4(total, ttl, length):
    h = bytearray(struct.pack('!BBHHHBBH4s4s', 0x45, 0, total, 1, 0, ttl, 17, 0, bytes([10,244,250,9]), bytes([10,244,1,2])))
    return bytes(h) + bytes(length - 20)
for i in range(${count}):
    s.sendto(os.urandom(1 + i % 1400), dst)             # random bytes
    s.sendto(os.urandom(1 + i % 19), dst)               # shorter than an IP header
    s.sendto(b'\\x45' + os.urandom(9), dst)              # a truncated IPv4 header
    s.sendto(b'\\x60' + os.urandom(59), dst)             # IPv6
    s.sendto(ipv4(1000, 64, 100), dst)                  # total length says 1000, 100 arrive
    s.sendto(ipv4(100, 1, 100), dst)                    # TTL 1
for i in range(5):
    s.sendto(b'\\x45' + os.urandom(65506), dst)          # 64 KiB
s.sendto(b'', dst)
print('sent')
`;
}
