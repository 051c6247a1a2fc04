import { etcdAccess, ExitError } from '@flannel-ts/cli';
import type { Logger } from 'pino';
import { etcdServedNetworks, ListenError, startLeaseServer } from '@flannel-ts/lease-server';
import { sdNotify } from '@flannel-ts/sys';
import { EtcdLeaseRegistry } from '@flannel-ts/subnet';
import type { DaemonHealth } from './daemon-health.js';
import type { FlanneldOptions } from './options.js';

/**
 * Server mode (`--listen`): serves the lease store in etcd to flanneld clients over the REST API,
 * joins no network. READY=1 once it listens; runs until `signal`.
 */
export async function runServer(o: FlanneldOptions, log: Logger, signal: AbortSignal, health?: DaemonHealth): Promise<void> {
  const registry = await EtcdLeaseRegistry.connect({
    ...etcdAccess(o.etcdEndpoints, o),
    prefix: o.etcdPrefix,
    ...(health ? { observer: health.etcdObserver } : {}),
  });
  try {
    const server = await startLeaseServer({
      listen: o.listen ?? '',
      tls: { caFile: o.remoteCafile, certFile: o.remoteCertfile, keyFile: o.remoteKeyfile },
      networks: etcdServedNetworks(registry),
      ttlSeconds: Math.round(o.subnetLeaseTtlMs / 1000),
      log: log.child({ component: 'server' }),
    }).catch((err: Error) => {
      throw err instanceof ListenError ? new ExitError(err.message, 1, { cause: err }) : err;
    });
    health?.serverListening();
    if (sdNotify('READY=1')) log.debug('Sent READY=1 to systemd');
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await server.close();
  } finally {
    registry.close();
  }
}
