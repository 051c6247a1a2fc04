import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { parseIP4, parseIP4Net } from '@flannel-ts/ip';
import type { AllocationRange } from '../src/index.js';

/** A logger whose lines the test can read. */
export function memoryLogger(): { log: Logger; lines: () => string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line).msg);
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), lines: () => lines };
}

export function range(network: string, subnetLen: number, min: string, max: string): AllocationRange {
  return { network: parseIP4Net(network), subnetLen, subnetMin: parseIP4(min), subnetMax: parseIP4(max) };
}

export const PREFIX = '/coreos.com/network';

/** host + port of an etcd endpoint URL, for a proxy in front of it. */
export function addressOf(endpoint: string): { host: string; port: number } {
  const url = new URL(endpoint);
  return { host: url.hostname, port: Number(url.port) };
}
