// Messages between tools/bench/scale-cluster.ts and its worker processes (JSON over the IPC channel).
import type { LatencyHistogram } from '../src/latency-histogram.js';

export interface StartMessage {
  readonly type: 'start';
  readonly endpoint: string;
  readonly prefix: string;
  /** Index of this worker's first daemon: daemon i advertises public IP 127.64.0.0 + i. */
  readonly firstIndex: number;
  readonly daemons: number;
  /** Daemons per etcd client: 1 = a gRPC connection each, as 5,000 real hosts have. */
  readonly daemonsPerClient: number;
  /** Acquisitions in flight at once in this worker. */
  readonly joinConcurrency: number;
  readonly ttlMs: number;
  readonly renewMarginMs: number;
}

export type ParentMessage =
  | StartMessage
  | { readonly type: 'watch'; readonly fromRevision: string }
  | { readonly type: 'report' }
  /** Starts a new latency phase: the histogram and the delivered count start from zero. */
  | { readonly type: 'reset' }
  | { readonly type: 'stop' };

export interface JoinReport {
  readonly type: 'joined';
  /** Per daemon: ms from the start of its acquisition to holding a lease. */
  readonly acquireMs: number[];
  /** Lost create races ("taken by another host first") and failed attempts retried. */
  readonly races: number;
  readonly failures: number;
}

export interface WorkerReport {
  readonly type: 'report';
  readonly latency: LatencyHistogram;
  /** Watch events carrying a timestamp, seen by all daemons of the worker. */
  readonly delivered: number;
  readonly renewalsOk: number;
  readonly renewalsFailed: number;
  readonly watchStops: number;
  readonly rssBytes: number;
}

export type WorkerMessage = { readonly type: 'ready' } | JoinReport | { readonly type: 'watching' } | WorkerReport;

/** The BackendData of a driver's change: when it was written, in ms since the epoch. */
export interface StampedData {
  readonly sentAt: number;
}
