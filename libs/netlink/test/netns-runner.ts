// Runs inside a test's network namespace (`ip netns exec <ns> node --import tsx netns-runner.ts`):
// reads one JSON command per line on stdin, calls the facade, writes one JSON line per result and
// one per subscription event. Keeps the addon away from the test process's (root) namespace.
//
//   {"id": 1, "op": "addRoute", "args": [{...}]}    -> {"id": 1, "ok": true, "value": ...}
//                                                   -> {"id": 1, "ok": false, "error": {...}}
//   {"id": 2, "op": "subscribe", "args": [["route"]]} -> value: subscription number; then
//                                                      {"sub": n, "event": {...}} lines
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import * as netlink from '../src/index.js';
import type { NetlinkGroup, Subscription } from '../src/index.js';

type Handler = (...args: never[]) => unknown;

const require = createRequire(import.meta.url);

const subscriptions = new Map<number, Subscription>();
let nextSubscription = 1;

function send(message: object): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** Our threads' names (/proc/self/task/<tid>/comm). */
function threadNames(): string[] {
  return readdirSync('/proc/self/task').map((tid) => readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim());
}

// What each descriptor refers to: "socket:[123]" (the inode is unique), "anon_inode:[eventfd] 7"
// (with the eventfd's id, as all eventfds share one inode), then " cloexec" when FD_CLOEXEC is set.
// The same function, as source, runs in a child to list what it inherited.
const DESCRIBE_DESCRIPTORS = `() => {
  const fs = require('fs');
  const out = {};
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const info = fs.readFileSync('/proc/self/fdinfo/' + fd, 'utf8');
      const id = /eventfd-id:\\s*(\\d+)/.exec(info);
      const flags = parseInt(/flags:\\s*(\\d+)/.exec(info)[1], 8);
      out[fd] = fs.readlinkSync('/proc/self/fd/' + fd) + (id ? ' ' + id[1] : '') + (flags & 0o2000000 ? ' cloexec' : '');
    } catch {}
  }
  return out;
}`;

/** Our descriptors (see DESCRIBE_DESCRIPTORS). */
function descriptors(): Record<string, string> {
  return (new Function('require', `return (${DESCRIBE_DESCRIPTORS})()`) as (r: NodeRequire) => Record<string, string>)(require);
}

/** The descriptors a freshly spawned child holds, described the same way. */
function childDescriptors(): Record<string, string> {
  const script = `console.log(JSON.stringify((${DESCRIBE_DESCRIPTORS})()))`;
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`child failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, string>;
}

const special: Record<string, Handler> = {
  subscribe: (groups: NetlinkGroup[], options: { closeOnFirstEvent?: boolean; deletionsOnly?: boolean } = {}) => {
    const id = nextSubscription++;
    const subscription = netlink.subscribe(
      groups,
      (event) => {
        send({ sub: id, event });
        if (options.closeOnFirstEvent) {
          subscription.close();
          send({ sub: id, closedInCallback: true });
        }
      },
      { deletionsOnly: options.deletionsOnly ?? false },
    );
    subscriptions.set(id, subscription);
    return id;
  },
  closeSubscription: (id: number) => {
    subscriptions.get(id)?.close();
    return subscriptions.get(id)?.closed;
  },
  /** Each element: null, or the route's failure as serializeError gives it. */
  replaceInOrder: async (changes: netlink.KernelChange[]) => (await netlink.replaceInOrder(changes)).map((error) => (error === undefined ? null : serializeError(error))),
  /** The paged listings, iterated to the end (a generator is no JSON). */
  eachRoute: (options?: { table?: number }) => [...netlink.eachRoute(options)],
  eachNeigh: (family: netlink.NeighFamily, index?: number) => [...netlink.eachNeigh(family, index)],
  /** The first `count` of a paged listing, the rest left unread (its dump dropped half-way). */
  firstRoutes: (count: number) => {
    const first: netlink.RouteInfo[] = [];
    for (const route of netlink.eachRoute({ table: 0 })) {
      if (first.length === count) break;
      first.push(route);
    }
    return first;
  },
  threadNames,
  descriptors,
  childDescriptors,
  sh: (command: string) => {
    const result = spawnSync('sh', ['-c', command], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
    return result.stdout;
  },
  /**
   * Lists addresses for `ms` (at least `min` times), counting how many listings had each size, how
   * many dumps the addon repeated meanwhile (for the interrupted-dump check), and how many listings
   * it gave up with EINTR after repeated interruptions (on a busy machine a flapping address can
   * interrupt every attempt: an error then, never an incomplete list).
   */
  listAddrsFor: (ms: number, min: number) => {
    const sizes: Record<number, number> = {};
    let gaveUp = 0;
    const retriesBefore = netlink.interruptedDumpRetries();
    const start = Date.now();
    for (let listings = 0; listings < min || Date.now() - start < ms; listings++) {
      try {
        const size = netlink.listAddrs().length;
        sizes[size] = (sizes[size] ?? 0) + 1;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EINTR') throw error;
        gaveUp++;
      }
    }
    return { sizes, gaveUp, retries: netlink.interruptedDumpRetries() - retriesBefore };
  },
};

function serializeError(error: unknown): object {
  if (!(error instanceof Error)) return { message: String(error) };
  const { code, errno, syscall } = error as Error & { code?: unknown; errno?: unknown; syscall?: unknown };
  return { name: error.name, message: error.message, code, errno, syscall };
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const { id, op, args = [] } = JSON.parse(line) as { id: number; op: string; args?: unknown[] };
  try {
    const handler = (special[op] ?? (netlink as unknown as Record<string, Handler>)[op]) as Handler | undefined;
    if (typeof handler !== 'function') throw new Error(`unknown op ${op}`);
    const value = handler(...(args as never[]));
    if (value instanceof Promise) {
      value.then(
        (settled: unknown) => send({ id, ok: true, value: settled === undefined ? null : settled }),
        (error: unknown) => send({ id, ok: false, error: serializeError(error) }),
      );
    } else send({ id, ok: true, value: value === undefined ? null : value });
  } catch (error) {
    send({ id, ok: false, error: serializeError(error) });
  }
});
lines.on('close', () => {
  for (const subscription of subscriptions.values()) subscription.close();
});
send({ ready: process.pid });
