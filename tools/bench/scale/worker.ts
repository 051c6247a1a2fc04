// One worker process of tools/bench/scale-cluster.ts: runs a few hundred lightweight flannel daemons.
// Each does against etcd what flanneld does without a datapath: acquires a lease with flannel's own
// LeaseKeeper (EtcdSubnetManager → acquireLease → EtcdLeaseRegistry), renews it as flanneld does, and
// watches the subnets prefix with the registry's watchLeases. Every watch event that carries a
// driver's timestamp adds its delivery latency to the worker's histogram.
import { setMaxListeners } from 'node:events';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { ip4Net, parseIP4 } from '@flannel-ts/ip';
import { EtcdSubnetManager, LeaseKeeper, type AllocationRange, type WatchHandle } from '@flannel-ts/subnet';
import { addSample, emptyHistogram } from '../src/latency-histogram.js';
import type { ParentMessage, StartMessage, StampedData, WorkerMessage } from './protocol.js';

const RANGE: AllocationRange = {
  network: ip4Net(parseIP4('10.0.0.0'), 8),
  subnetLen: 24,
  subnetMin: parseIP4('10.0.1.0'),
  subnetMax: parseIP4('10.255.255.0'),
};
const FIRST_PUBLIC_IP = parseIP4('127.64.0.0');
const wallMs = (): number => performance.timeOrigin + performance.now();

const send = (m: WorkerMessage): void => {
  process.send!(m);
};

/** A logger that keeps flannel's log lines out of the way but counts lost races and retried failures. */
function countingLogger(counts: { races: number; failures: number }): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      const line = chunk.toString();
      if (line.includes('taken by another host first')) counts.races++;
      if (line.includes('Failed to acquire subnet')) counts.failures++;
      done();
    },
  });
  return pino({ level: 'info' }, sink);
}

async function runWorker(start: StartMessage): Promise<void> {
  const counts = { races: 0, failures: 0 };
  const log = countingLogger(counts);
  const abort = new AbortController();
  // Every daemon's keeper listens on it.
  setMaxListeners(0, abort.signal);
  const managers: EtcdSubnetManager[] = [];
  for (let i = 0; i < Math.ceil(start.daemons / start.daemonsPerClient); i++) {
    managers.push(await EtcdSubnetManager.connect({ endpoints: [start.endpoint], prefix: start.prefix }));
  }
  send({ type: 'ready' });

  const keepers: LeaseKeeper[] = [];
  const acquireMs: number[] = [];
  let next = 0;
  const joinOne = async (): Promise<void> => {
    while (next < start.daemons) {
      const i = next++;
      const manager = managers[Math.floor(i / start.daemonsPerClient)]!;
      const keeper = new LeaseKeeper({
        manager,
        range: RANGE,
        attrs: { publicIp: (FIRST_PUBLIC_IP + start.firstIndex + i) >>> 0, backendType: 'host-gw' },
        ttlMs: start.ttlMs,
        renewMarginMs: start.renewMarginMs,
        log,
        onLeaseChanged: async () => undefined,
      });
      const t0 = performance.now();
      await keeper.acquire(abort.signal);
      acquireMs.push(performance.now() - t0);
      keepers.push(keeper);
      void keeper.run(abort.signal).catch((err: unknown) => console.error(`daemon ${start.firstIndex + i}: ${String(err)}`));
    }
  };
  await Promise.all(Array.from({ length: start.joinConcurrency }, joinOne));
  send({ type: 'joined', acquireMs, races: counts.races, failures: counts.failures });

  let latency = emptyHistogram();
  let delivered = 0;
  let watchStops = 0;
  const watches: WatchHandle[] = [];
  process.on('message', (raw: ParentMessage) => {
    if (raw.type === 'watch') {
      void (async () => {
        let started = 0;
        for (let i = 0; i < keepers.length; i++) {
          const manager = managers[Math.floor(i / start.daemonsPerClient)]!;
          watches.push(
            await manager.watchLeases(raw.fromRevision, {
              onStarted: () => {
                if (++started === keepers.length) send({ type: 'watching' });
              },
              onChanges: (changes) => {
                const now = wallMs();
                for (const c of changes) {
                  const data = c.type === 'put' ? c.lease?.attrs.backendData : undefined;
                  if (data === undefined || !data.includes('sentAt')) continue;
                  addSample(latency, now - (JSON.parse(data) as StampedData).sentAt);
                  delivered++;
                }
              },
              onStopped: () => {
                watchStops++;
              },
            }),
          );
        }
      })();
    } else if (raw.type === 'reset') {
      latency = emptyHistogram();
      delivered = 0;
    } else if (raw.type === 'report') {
      const renewalsOk = keepers.reduce((n, k) => n + k.stats.renewalsOk, 0);
      const renewalsFailed = keepers.reduce((n, k) => n + k.stats.renewalsFailed, 0);
      send({ type: 'report', latency, delivered, renewalsOk, renewalsFailed, watchStops, rssBytes: process.memoryUsage.rss() });
    } else if (raw.type === 'stop') {
      abort.abort();
      void Promise.all(watches.map((w) => w.cancel())).finally(() => {
        managers.forEach((m) => m.close());
        process.exit(0);
      });
    }
  });
}

process.once('message', (m: ParentMessage) => {
  if (m.type !== 'start') throw new Error(`scale worker: expected a start message first, got ${m.type}`);
  runWorker(m).catch((err: unknown) => {
    console.error('scale worker failed:', err);
    process.exit(1);
  });
});
