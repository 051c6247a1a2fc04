import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { errorMessage } from '../error-message.js';
import type { Lab } from '../lab/lab.js';
import { labOutputFile } from '../lab/lab-scratch.js';
import { logTail } from '../log-tail.js';
import { waitFor } from '../wait-for.js';
import { parseIpMonitorOutput, type IpMonitorEvent, type IpMonitorObject } from './ip-monitor-events.js';

/** Records kernel changes inside one lab namespace. */
export interface IpMonitor {
  readonly pid: number;
  /** The raw `ip -ts monitor label` output. */
  readonly outputFile: string;
  /** The changes seen since the monitor started listening, oldest first (re-read on every call). */
  events(): IpMonitorEvent[];
  /** Stops the monitor; events() keeps answering. */
  stop(): Promise<void>;
}

export interface StartIpMonitorOptions {
  /** Also record IPv6 changes (link-local routes and the like); default false: `ip -4 monitor`. */
  readonly ipv6?: boolean;
}

/**
 * The marker: a blackhole route in a private table in TEST-NET-3, so no real traffic is affected.
 * Several monitors in one namespace pick different addresses and skip each other's markers.
 */
const MARKER_TABLE = 250;
const isMarker = (event: IpMonitorEvent): boolean =>
  event.kind === 'route' && event.raw.includes(`table ${MARKER_TABLE}`) && /^203\.0\.113\.\d+$/.test(event.dst ?? '');
const MARKER_ATTEMPTS = 10;
const MARKER_WAIT_MS = 300;

/**
 * Starts `ip -ts monitor label <objects>` inside `ns` as a tracked lab process and resolves once it
 * is listening: it adds and deletes a marker route until the monitor prints it, and events()
 * reports only what came after the marker (never the marker itself).
 * Note the kernel sends no "Deleted" for IPv4 routes that vanish because their link went down or away.
 */
export async function startIpMonitor(
  lab: Lab,
  ns: string,
  objects: readonly IpMonitorObject[] = ['route'],
  { ipv6 = false }: StartIpMonitorOptions = {},
): Promise<IpMonitor> {
  if (objects.length === 0) throw new Error('startIpMonitor objects must name at least one of route, neigh, link, address');
  const watched = new Set<IpMonitorObject>(objects);
  // route always, for the marker; events() leaves out kinds nobody asked for.
  const outputFile = labOutputFile(lab, `ip-monitor-${ns}`);
  const cmd = ['ip', ...(ipv6 ? [] : ['-4']), '-ts', 'monitor', 'label', ...new Set<IpMonitorObject>(['route', ...objects])];
  const child = lab.spawn(ns, cmd, { stdout: outputFile, stderr: outputFile });
  const read = (): IpMonitorEvent[] => parseIpMonitorOutput(readFileSync(outputFile, 'utf8'));

  let skip: number;
  try {
    skip = await listen(lab, ns, read, () => child.hasExited());
  } catch (error) {
    await child.stop();
    const tail = await logTail(outputFile, { lines: 5 });
    const output = tail ? `; output: ${tail}` : '';
    throw new Error(`ip monitor in ${ns} did not start listening: ${errorMessage(error)}${output}`, { cause: error });
  }
  return {
    pid: child.pid,
    outputFile,
    events: () =>
      read()
        .slice(skip)
        .filter((event) => watched.has(event.kind) && !isMarker(event)),
    async stop() {
      await child.stop();
    },
  };
}

/** Adds and deletes marker routes until the monitor shows one; returns how many events to skip. */
async function listen(lab: Lab, ns: string, read: () => IpMonitorEvent[], exited: () => boolean): Promise<number> {
  const first = randomInt(1, 255);
  for (let attempt = 0; attempt < MARKER_ATTEMPTS; attempt++) {
    if (exited()) throw new Error('ip monitor exited');
    const address = `203.0.113.${((first + attempt) % 254) + 1}`;
    const route = ['blackhole', `${address}/32`, 'table', String(MARKER_TABLE)];
    const added = await lab.exec(ns, ['ip', 'route', 'add', ...route]);
    if (added.exitCode !== 0) continue; // another monitor's marker has this address
    const seen = await waitFor(() => read().some((event) => event.dst === address && !event.deleted), {
      timeoutMs: MARKER_WAIT_MS,
      what: `the marker route ${address}`,
    }).catch(() => false);
    const deleted = await lab.exec(ns, ['ip', 'route', 'del', ...route]);
    if (deleted.exitCode !== 0) throw new Error(`deleting marker route ${route.join(' ')}: ${deleted.stderr.trim()}`);
    if (!seen) continue;
    return await waitFor(
      () => {
        const index = read().findIndex((event) => event.dst === address && event.deleted);
        return index < 0 ? undefined : index + 1;
      },
      { what: `the deletion of marker route ${address}` },
    );
  }
  throw new Error(`no marker route showed up after ${MARKER_ATTEMPTS} attempts`);
}
