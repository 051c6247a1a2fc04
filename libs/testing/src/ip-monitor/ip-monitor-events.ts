export type IpMonitorObject = 'route' | 'neigh' | 'link' | 'address';

/** One kernel change as `ip -ts monitor label` printed it. */
export interface IpMonitorEvent {
  /** The printed text without timestamp and label; continuation lines joined with "\n". */
  readonly raw: string;
  /** The line started with "Deleted". */
  readonly deleted: boolean;
  readonly kind: IpMonitorObject;
  /**
   * route: the destination as ip prints it ("10.244.2.0/24", "default", a host route as "10.7.0.5");
   * neigh: the neighbour's address; address: the address with its prefix length ("10.9.0.1/24").
   */
  readonly dst?: string;
  /** The device named by the event ("dev eth0", or the link of a link/address event). */
  readonly dev?: string;
  /** When ip printed it (epoch ms, from the -ts stamp in local time). */
  readonly atMs?: number;
}

const LABEL_KINDS: Record<string, IpMonitorObject> = { ROUTE: 'route', NEIGH: 'neigh', LINK: 'link', ADDR: 'address' };
// "[2026-11-23T14:12:10.920149] [ROUTE]Deleted blackhole 203.0.113.7 table 250 "
const EVENT_LINE = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)\] \[([A-Z]+)\](.*)$/;
const ROUTE_TYPES = new Set(['unicast', 'local', 'broadcast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw']);

/** Splits `ip -ts monitor label` output into events; labels other than route/neigh/link/addr are skipped. */
export function parseIpMonitorOutput(output: string): IpMonitorEvent[] {
  const events: IpMonitorEvent[] = [];
  let current: { stamp: string; kind: IpMonitorObject; lines: string[] } | undefined;
  const flush = (): void => {
    if (current !== undefined) events.push(toEvent(current.stamp, current.kind, current.lines.join('\n')));
    current = undefined;
  };
  for (const line of output.split('\n')) {
    const match = EVENT_LINE.exec(line);
    if (match !== null) {
      flush();
      const kind = LABEL_KINDS[match[2]!];
      if (kind !== undefined) current = { stamp: match[1]!, kind, lines: [match[3]!.trimEnd()] };
    } else if (/^\s/.test(line) && current !== undefined) {
      current.lines.push(line.trimEnd());
    } else {
      flush(); // something else (an error, a partial last line): not part of an event
    }
  }
  flush();
  return events;
}

function toEvent(stamp: string, kind: IpMonitorObject, raw: string): IpMonitorEvent {
  const deleted = raw.startsWith('Deleted ');
  const body = deleted ? raw.slice('Deleted '.length) : raw;
  const tokens = body.split(/\s+/).filter((token) => token !== '');
  const after = (word: string): string | undefined => {
    const index = tokens.indexOf(word);
    return index < 0 ? undefined : tokens[index + 1];
  };
  const atMs = Date.parse(stamp.slice(0, 23)); // no zone: local time, as ip printed it
  const base = { raw, deleted, kind, ...(Number.isNaN(atMs) ? {} : { atMs }) };
  switch (kind) {
    case 'route': {
      const dst = ROUTE_TYPES.has(tokens[0] ?? '') ? tokens[1] : tokens[0];
      return { ...base, ...defined({ dst, dev: after('dev') }) };
    }
    case 'neigh':
      return { ...base, ...defined({ dst: tokens[0], dev: after('dev') }) };
    case 'address':
      // "3: d0    inet 10.9.0.1/24 scope global d0"
      return { ...base, ...defined({ dst: after('inet') ?? after('inet6'), dev: tokens[1] }) };
    case 'link':
      // "3: d0@d1: <BROADCAST,...> mtu 1500 ..."
      return { ...base, ...defined({ dev: tokens[1]?.replace(/:$/, '').split('@')[0] }) };
  }
}

/** Leaves out fields that are undefined, so events print tidily in test failures. */
function defined<T extends Record<string, string | undefined>>(fields: T): Partial<Record<keyof T, string>> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<Record<keyof T, string>>;
}
