import { etcdAccess, ExitError } from '@flannel-ts/cli';
import type { Logger } from 'pino';
import { ListenError, startLeaseServer } from '@flannel-ts/lease-server';
import { sdNotify } from '@flannel-ts/sys';
import { EtcdSubnetManager } from '@flannel-ts/subnet';
import type { FlanneldOptions } from './options.js';

/**
 * Server mode (`--listen`): serves the lease store in etcd to flanneld clients over the REST API,
 * joins no network. READY=1 once it listens; runs until `signal`.
 */
export async function runServer(o: FlanneldOptions, log: Logger, signal: AbortSignal): Promise<void> {
  const manager = await EtcdSubnetManager.connect({ ...etcdAccess(o.etcdEndpoints, o), prefix: o.etcdPrefix });
  try {
    const unnamed = { manager, registry: manager.registry };
    const server = await startLeaseServer({
      listen: o.listen ?? '',
      tls: { caFile: o.remoteCafile, certFile: o.remoteCertfile, keyFile: o.remoteKeyfile },
      networks: {
        network: (name) => {
          if (name !== '') throw new Error(`network ${JSON.stringify(name)}: multi-network mode is not served yet`);
          return unnamed;
        },
      },
      ttlSeconds: Math.round(o.subnetLeaseTtlMs / 1000),
      log: log.child({ component: 'server' }),
    }).catch((err: Error) => {
      throw err instanceof ListenError ? new ExitError(err.message, 1, { cause: err }) : err;
    });
    if (sdNotify('READY=1')) log.debug('Sent READY=1 to systemd');
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await server.close();
  } finally {
    manager.close();
  }
}
