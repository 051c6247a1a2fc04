import { readFile } from 'node:fs/promises';
import type { IOptions } from 'etcd3';

export interface EtcdConnectOptions {
  readonly endpoints: readonly string[];
  readonly cafile?: string;
  readonly certfile?: string;
  readonly keyfile?: string;
  readonly username?: string;
  readonly password?: string;
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

export async function etcdClientOptions(o: EtcdConnectOptions): Promise<IOptions> {
  if (o.endpoints.length === 0) throw new Error('--etcd-endpoints: no endpoint given');
  const tls = o.cafile || o.certfile || o.keyfile;
  if ((o.certfile && !o.keyfile) || (o.keyfile && !o.certfile)) {
    throw new Error('--etcd-certfile and --etcd-keyfile must be given together');
  }
  const options: IOptions = {
    hosts: o.endpoints.map((e) => e.trim()),
    dialTimeout: 5_000,
    faultHandling: { host: () => runOnce, global: runOnce },
    // Notice a dead connection (e.g. a cut network) instead of waiting on it forever.
    grpcOptions: { 'grpc.keepalive_time_ms': 10_000, 'grpc.keepalive_timeout_ms': 5_000 },
  };
  if (tls) {
    options.credentials = {
      // Without a CA file grpc verifies against the system roots (it takes undefined for that).
      rootCertificate: (o.cafile ? await readNamed(o.cafile, '--etcd-cafile') : undefined) as Buffer,
      ...(o.keyfile ? { privateKey: await readNamed(o.keyfile, '--etcd-keyfile') } : {}),
      ...(o.certfile ? { certChain: await readNamed(o.certfile, '--etcd-certfile') } : {}),
    };
  }
  if (o.username) options.auth = { username: o.username, password: o.password ?? '' };
  return options;
}

async function readNamed(path: string, flag: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new Error(`${flag}: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}
