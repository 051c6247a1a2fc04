import type { ProcessExit } from '../child-process.js';
import { errorMessage } from '../error-message.js';
import type { Lab } from '../lab/lab.js';
import { labOutputFile } from '../lab/lab-scratch.js';
import { logTail } from '../log-tail.js';
import { waitFor } from '../wait-for.js';
import { parseIperf3Json, type Iperf3Result } from './iperf3-result.js';

export const IPERF3_DEFAULT_PORT = 5201;

export interface Iperf3Server {
  readonly pid: number;
  readonly port: number;
  readonly logFile: string;
  /** Resolves when the server exits, which it does by itself after serving one test. */
  readonly exited: Promise<ProcessExit>;
  stop(): Promise<void>;
}

/**
 * `iperf3 -s -1 -p <port>` in the foreground inside `ns` (tracked by the lab; never -D, which loses
 * the pid): serves exactly one test. Resolves once the port is listening.
 */
export async function iperf3Server(
  lab: Lab,
  ns: string,
  { port = IPERF3_DEFAULT_PORT }: { readonly port?: number } = {},
): Promise<Iperf3Server> {
  assertPort(port);
  const logFile = labOutputFile(lab, `iperf3-server-${ns}-${port}`);
  const child = lab.spawn(ns, ['iperf3', '-s', '-1', '-p', String(port)], { stdout: logFile, stderr: logFile });
  try {
    const state = await waitFor(
      async () => {
        if (child.hasExited()) return 'exited';
        // Our process's socket, not some other server's on the same port.
        const listening = await lab.exec(ns, ['ss', '-Hltnp', `sport = :${port}`]);
        return listening.stdout.includes(`pid=${child.pid},`) && 'listening';
      },
      { what: `iperf3 server to listen on port ${port} in ${ns}` },
    );
    if (state === 'exited') throw new Error(`iperf3 -s exited (code ${(await child.exited).code})`);
  } catch (error) {
    await child.stop();
    const tail = await logTail(logFile, { lines: 5 });
    const output = tail ? `; output: ${tail}` : '';
    throw new Error(`starting iperf3 -s -p ${port} in ${ns}: ${errorMessage(error)}${output}`, { cause: error });
  }
  return {
    pid: child.pid,
    port,
    logFile,
    exited: child.exited,
    async stop() {
      await child.stop();
    },
  };
}

export interface Iperf3ClientOptions {
  readonly port?: number;
  /** Test length (iperf3 -t); default 2. */
  readonly seconds?: number;
  /** Parallel TCP streams (iperf3 -P); default 1. */
  readonly streams?: number;
}

/** Runs one TCP test `iperf3 -c <serverIp> -J` from `ns` and returns the measured rate. */
export async function iperf3Client(
  lab: Lab,
  ns: string,
  serverIp: string,
  { port = IPERF3_DEFAULT_PORT, seconds = 2, streams = 1 }: Iperf3ClientOptions = {},
): Promise<Iperf3Result> {
  assertPort(port);
  if (!(seconds > 0)) throw new Error(`iperf3Client seconds must be positive, got ${seconds}`);
  if (!Number.isInteger(streams) || streams < 1 || streams > 128) {
    throw new Error(`iperf3Client streams must be an integer from 1 to 128, got ${streams}`);
  }
  const cmd = ['iperf3', '-c', serverIp, '-p', String(port), '-t', String(seconds), '-P', String(streams)];
  cmd.push('-J', '--connect-timeout', '3000');
  const result = await lab.exec(ns, cmd, { timeoutMs: seconds * 1000 + 15_000 });
  try {
    return parseIperf3Json(result.stdout);
  } catch (error) {
    const detail = result.stderr.trim();
    const stderr = detail ? ` (${detail})` : '';
    throw new Error(`iperf3 from ${ns} to ${serverIp}:${port}: ${errorMessage(error)}${stderr}`, { cause: error });
  }
}

function assertPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`iperf3 port must be an integer from 1 to 65535, got ${port}`);
  }
}
