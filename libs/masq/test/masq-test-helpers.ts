import { Writable } from 'node:stream';
import { createLogger } from '@flannel-ts/log';
import type { Lab, LabProcess } from '@flannel-ts/testing';
import type { MasqBackend, MasqLog } from '../src/index.js';

export const BACKENDS: readonly MasqBackend[] = ['iptables-nft', 'iptables-legacy', 'nftables'];

/** A JSON logger whose lines the test can read. */
export function captureLog(): { log: MasqLog; messages(): string[] } {
  const lines: Array<{ msg?: string }> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as { msg?: string });
      done();
    },
  });
  const log = createLogger({ name: 'masq-test', verbosity: 0, destination, format: 'json' });
  return { log, messages: () => lines.map((line) => line.msg ?? '') };
}

/** Runs a command in a lab namespace; throws naming it and its stderr when it fails. */
export async function labRun(lab: Lab, ns: string, cmd: readonly string[], input?: string): Promise<string> {
  const result = await lab.exec(ns, cmd, { input });
  if (result.exitCode !== 0) throw new Error(`${cmd.join(' ')} in ${ns} failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
  return result.stdout;
}

/**
 * The whole ruleset of one backend in a namespace, without what changes by itself
 * (iptables-save's date comments, packet and byte counters, the order nft lists tables in).
 */
export async function rulesetSnapshot(lab: Lab, ns: string, backend: MasqBackend): Promise<string> {
  if (backend === 'nftables') {
    const listing = (await labRun(lab, ns, ['nft', 'list', 'ruleset'])).replace(/counter packets \d+ bytes \d+/g, 'counter');
    // A replaced table is listed last; the order of tables means nothing here.
    return (listing.match(/^table [^\n]*\{\n[\s\S]*?^\}$/gm) ?? []).sort().join('\n');
  }
  const saved = await labRun(lab, ns, [`${backend}-save`]);
  return saved
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .map((line) => line.replace(/\[\d+:\d+\]/g, '[0:0]'))
    .join('\n');
}

/** The iptables binary of an iptables backend, e.g. iptables-legacy. */
export function iptablesBinary(backend: MasqBackend): string {
  if (backend === 'nftables') throw new Error('nftables has no iptables binary');
  return backend;
}

export const UDP_PEER_PORT = 7777;

/** Answers every UDP datagram with the source address it arrived from. */
const PEER_SERVER = `
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('0.0.0.0', ${UDP_PEER_PORT}))
while True:
    data, addr = s.recvfrom(64)
    s.sendto(addr[0].encode(), addr)
`;

/** Sends "who" until an answer comes (tries x timeout) and prints it; exit 1 without one. */
const PEER_CLIENT = `
import socket, sys
target, tries, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(timeout)
for _ in range(tries):
    s.sendto(b'who', (target, ${UDP_PEER_PORT}))
    try:
        print(s.recvfrom(64)[0].decode())
        sys.exit(0)
    except socket.timeout:
        pass
sys.exit(1)
`;

export function startPeerServer(lab: Lab, ns: string): LabProcess {
  return lab.spawn(ns, ['python3', '-S', '-c', PEER_SERVER]);
}

/** The source address `target`'s peer server saw for a datagram from `ns`; undefined when nothing came back. */
export async function sourceSeenBy(
  lab: Lab,
  ns: string,
  target: string,
  { tries = 15, timeoutS = 0.2 }: { tries?: number; timeoutS?: number } = {},
): Promise<string | undefined> {
  const result = await lab.exec(ns, ['python3', '-S', '-c', PEER_CLIENT, target, String(tries), String(timeoutS)]);
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}
