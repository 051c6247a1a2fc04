// What etcd costs, read from outside: CPU and RSS from /proc, counters from its /metrics endpoint.
import { readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_S = 100;

export interface ProcSample {
  /** utime + stime in seconds. */
  readonly cpuS: number;
  readonly rssBytes: number;
}

export function procSample(pid: number): ProcSample {
  // Fields after the command name (which may hold spaces) start at field 3.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuS = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpuS, rssBytes: rssKb * 1024 };
}

/** The counters the bench reads, summed over their labels. */
export const METRICS = {
  dbBytes: 'etcd_mvcc_db_total_size_in_bytes',
  dbInUseBytes: 'etcd_mvcc_db_total_size_in_use_in_bytes',
  keys: 'etcd_debugging_mvcc_keys_total',
  grpcReceivedBytes: 'etcd_network_client_grpc_received_bytes_total',
  grpcSentBytes: 'etcd_network_client_grpc_sent_bytes_total',
  grpcMsgsReceived: 'grpc_server_msg_received_total',
  grpcMsgsSent: 'grpc_server_msg_sent_total',
  watchers: 'etcd_debugging_mvcc_watcher_total',
  slowWatchers: 'etcd_debugging_mvcc_slow_watcher_total',
  pendingEvents: 'etcd_debugging_mvcc_pending_events_total',
  leaseGranted: 'etcd_debugging_lease_granted_total',
  leaseRenewed: 'etcd_debugging_lease_renewed_total',
  fsyncs: 'etcd_disk_wal_fsync_duration_seconds_count',
} as const;

export type Metrics = Record<keyof typeof METRICS, number>;

export function parseMetrics(text: string): Metrics {
  const sums = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{[^}]*\})? (\S+)/.exec(line);
    if (m) sums.set(m[1]!, (sums.get(m[1]!) ?? 0) + Number(m[2]));
  }
  return Object.fromEntries(Object.entries(METRICS).map(([k, name]) => [k, sums.get(name) ?? 0])) as Metrics;
}

export async function fetchMetrics(endpoint: string): Promise<Metrics> {
  const res = await fetch(`${endpoint}/metrics`);
  if (!res.ok) throw new Error(`etcd ${endpoint}/metrics answered ${res.status}`);
  return parseMetrics(await res.text());
}

/** etcd's figures at one moment: /proc and /metrics together. */
export interface EtcdSample extends ProcSample {
  readonly at: number;
  readonly metrics: Metrics;
}

export async function sampleEtcd(pid: number, endpoint: string): Promise<EtcdSample> {
  return { at: performance.now(), ...procSample(pid), metrics: await fetchMetrics(endpoint) };
}

/** Differences over a phase: CPU share, rates per second. */
export function phaseCost(a: EtcdSample, b: EtcdSample) {
  const s = (b.at - a.at) / 1000;
  const d = (k: keyof Metrics) => b.metrics[k] - a.metrics[k];
  return {
    seconds: s,
    cpuS: b.cpuS - a.cpuS,
    cpuShare: (b.cpuS - a.cpuS) / s,
    grpcInPerS: d('grpcMsgsReceived') / s,
    grpcOutPerS: d('grpcMsgsSent') / s,
    bytesInPerS: d('grpcReceivedBytes') / s,
    bytesOutPerS: d('grpcSentBytes') / s,
    renewalsPerS: d('leaseRenewed') / s,
    fsyncsPerS: d('fsyncs') / s,
  };
}
