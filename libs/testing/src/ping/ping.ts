import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Lab, LabProcess } from '../lab/lab.js';
import { labOutputFile } from '../lab/lab-scratch.js';
import type { Pod } from '../pods/pod.js';
import { parsePingOutput, type PingStats } from './ping-stats.js';

export interface StartPingOptions {
  /** Time between echo requests; default 10 ms (below 200 ms needs root). */
  readonly intervalMs?: number;
  /** ICMP payload bytes (ping -s); default 56. */
  readonly size?: number;
}

/** A ping running in the background of a lab namespace. */
export interface PingRun {
  readonly pid: number;
  /** ping's output (ping -D: every reply carries its receive time). */
  readonly outputFile: string;
  /** Stops ping with SIGINT and reads its statistics; throws if ping died before printing them. */
  stop(): Promise<PingStats>;
}

const STOP_TIMEOUT_MS = 3_000;

/** Starts `ping -n -D -i <interval> -W 1 <target>` inside `ns` as a tracked lab process. */
export function startPing(lab: Lab, ns: string, target: string, { intervalMs = 10, size }: StartPingOptions = {}): PingRun {
  if (!(intervalMs > 0)) throw new Error(`startPing intervalMs must be a positive number, got ${intervalMs}`);
  const outputFile = labOutputFile(lab, `ping-${ns}-${target}`);
  const cmd = ['ping', '-n', '-D', '-i', String(intervalMs / 1000), '-W', '1', ...sizeArgs(size), target];
  const startedAtMs = Date.now();
  const child = lab.spawn(ns, cmd, { stdout: outputFile, stderr: outputFile });
  let stopping: Promise<PingStats> | undefined;
  return {
    pid: child.pid,
    outputFile,
    stop() {
      stopping ??= stopPing(child, outputFile, { startedAtMs, describe: `ping ${target} in ${ns}` });
      return stopping;
    },
  };
}

async function stopPing(
  child: LabProcess,
  outputFile: string,
  { startedAtMs, describe }: { startedAtMs: number; describe: string },
): Promise<PingStats> {
  const stoppedAtMs = Date.now();
  const diedEarly = child.hasExited();
  child.kill('SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), STOP_TIMEOUT_MS);
  });
  // ping prints its statistics and exits on SIGINT; one that hangs is killed (and has no statistics).
  const exit = (await Promise.race([child.exited, timedOut]).finally(() => clearTimeout(timer))) ?? (await child.stop(0));
  const output = await readFile(outputFile, 'utf8').catch(() => '');
  const stats = parsePingOutput(output, { startedAtMs, stoppedAtMs });
  if (stats === undefined) {
    const how = diedEarly ? 'exited before it was stopped' : 'printed no statistics when stopped';
    const tail = output.trim().split('\n').slice(-5).join(' | ') || 'no output';
    throw new Error(`${describe} ${how} (exit ${exit.code ?? exit.signal}): ${tail}`);
  }
  return stats;
}

/** Replies a running ping has printed so far (its output file, as `startPing` writes it). */
export function pingReplies(outputFile: string): number {
  return existsSync(outputFile) ? readFileSync(outputFile, 'utf8').split('bytes from').length - 1 : 0;
}

export interface PingOnceOptions {
  /** How long to wait for the reply; default 1 s. */
  readonly timeoutS?: number;
  /** ICMP payload bytes (ping -s). */
  readonly size?: number;
  /** Set DF and never fragment locally (ping -M do): checks a path MTU. */
  readonly dontFragment?: boolean;
}

/** One echo request from `ns` to `target`; true when the reply came in time. */
export async function pingOnce(
  lab: Lab,
  ns: string,
  target: string,
  { timeoutS = 1, size, dontFragment = false }: PingOnceOptions = {},
): Promise<boolean> {
  const dfArgs = dontFragment ? ['-M', 'do'] : [];
  const cmd = ['ping', '-n', '-q', '-c', '1', '-W', String(timeoutS), ...sizeArgs(size), ...dfArgs, target];
  const result = await lab.exec(ns, cmd, { timeoutMs: timeoutS * 1000 + 5_000 });
  return result.exitCode === 0;
}

/** Every pod pings every other pod once (in parallel); returns the failures as "p1 -> 10.244.9.2". */
export async function pingAll(lab: Lab, pods: readonly Pod[], options: PingOnceOptions = {}): Promise<string[]> {
  const pairs = pods.flatMap((from) => pods.filter((to) => to !== from).map((to) => ({ from, to })));
  const results = await Promise.all(pairs.map(({ from, to }) => pingOnce(lab, from.ns, to.ip, options)));
  return pairs.filter((_, i) => !results[i]).map(({ from, to }) => `${from.name} -> ${to.ip}`);
}

function sizeArgs(size: number | undefined): string[] {
  if (size === undefined) return [];
  if (!Number.isInteger(size) || size < 0 || size > 65_507) {
    throw new Error(`ping size must be an integer from 0 to 65507, got ${size}`);
  }
  return ['-s', String(size)];
}
