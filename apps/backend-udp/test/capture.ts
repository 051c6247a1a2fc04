import { existsSync, readFileSync } from 'node:fs';
import type { Lab } from '@flannel-ts/testing';
import { waitFor } from '@flannel-ts/testing';

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
  await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes('listening on'), { timeoutMs: 5_000, what: `tcpdump on ${iface} in ${ns}` });
  return {
    file,
    done: proc.exited.then(() => undefined),
    async stop() {
      await proc.stop(1_000);
    },
  };
}
