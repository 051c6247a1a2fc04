import type { IOptions } from 'etcd3';
import type { EtcdAccess } from '@flannel-ts/cli';
import { readEtcdTlsFiles } from './etcd-tls-files.js';

type Grpc = typeof import('@grpc/grpc-js');

/** Endpoints, TLS files and credentials, as the etcd access flags give them. */
export type EtcdConnectOptions = EtcdAccess;

/**
 * Told of every etcd request as it ends (`op`: range, txn, lease_grant, lease_revoke, lease_ttl,
 * lease_keepalive, or watch for a watch being set up or its stream breaking): for metrics and
 * for telling how long etcd has been unreachable. Called synchronously; it must be cheap.
 */
export interface EtcdRequestObserver {
  request(op: string, seconds: number, ok: boolean): void;
}

/**
 * A policy that runs the call once. etcd3's default per-host circuit breaker keeps a recovered
 * etcd "open" for 5 s after three failures; our callers own retry timing, so they need the
 * first call after a recovery to go through.
 */
const runOnce = {
  // async: etcd3 calls this with a function that throws synchronously and expects a rejection.
  execute: async <T>(fn: (ctx: { signal: AbortSignal; attempt: number }) => PromiseLike<T> | T) =>
    fn({ signal: new AbortController().signal, attempt: 0 }),
  onSuccess: () => ({ dispose() {} }),
  onFailure: () => ({ dispose() {} }),
} as unknown as NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

/**
 * gRPC keepalive: a ping every 6 s while a call is open (the watch always is), the connection given up
 * when one goes 2 s unanswered, so a member whose link was cut (no reset, no FIN) is noticed within
 * 8 s. etcd closes connections that ping more often than its --grpc-keepalive-min-time (5 s by default)
 * or that ping with no call open, so neither is done.
 */
const KEEPALIVE = {
  'grpc.keepalive_time_ms': 6_000,
  'grpc.keepalive_timeout_ms': 2_000,
  'grpc.keepalive_permit_without_calls': 0,
};

/** The endpoints, and the options of an etcd3 client for one of them (`hosts` left to fill in). */
export interface EtcdClientOptions {
  readonly endpoints: readonly string[];
  readonly options: Omit<IOptions, 'hosts'>;
}

/**
 * One etcd3 client per member, so the daemon chooses which member it talks to (see EtcdMembers)
 * instead of etcd3 spreading calls over all of them.
 */
export async function etcdClientOptions(o: EtcdConnectOptions, grpc: Grpc): Promise<EtcdClientOptions> {
  if (o.endpoints.length === 0) throw new Error('--etcd-endpoints: no endpoint given');
  const common: Omit<IOptions, 'hosts'> = {
    dialTimeout: 5_000,
    faultHandling: { host: () => runOnce, global: runOnce },
    grpcOptions: KEEPALIVE,
    // etcd's require-leader flag on every call and stream: a member cut off from its peers answers
    // "no leader" (and ends our watch) instead of serving stale data or going quiet.
    defaultCallOptions: { credentials: requireLeader(grpc) },
  };
  if (o.cafile || o.certfile || o.keyfile) {
    const files = await readEtcdTlsFiles(o);
    // Without a CA file grpc verifies against the system roots (it takes undefined for that).
    common.credentials = { ...files, rootCertificate: files.rootCertificate as Buffer };
  }
  if (o.username) common.auth = { username: o.username, password: o.password ?? '' };
  return { endpoints: o.endpoints.map((e) => e.trim()), options: common };
}

/** Call credentials that only add etcd's `hasleader: true` metadata (they need no TLS). */
function requireLeader(grpc: Grpc) {
  return grpc.credentials.createFromMetadataGenerator((_params, callback) => {
    const metadata = new grpc.Metadata();
    metadata.set('hasleader', 'true');
    callback(null, metadata);
  });
}
