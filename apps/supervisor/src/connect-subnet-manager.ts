import type { Logger } from 'pino';
import { etcdAccess } from '@flannel-ts/cli';
import { EtcdSubnetManager, type EtcdRequestObserver, type NetworkRegistry, type SubnetManager } from '@flannel-ts/subnet';
import type { FlanneldOptions } from './options.js';

/** The lease store of the single network: etcd itself, or a flanneld server with --remote. */
export async function connectSubnetManager(o: FlanneldOptions, log: Logger, signal: AbortSignal, observer?: EtcdRequestObserver): Promise<SubnetManager> {
  if (o.remote === undefined) {
    return EtcdSubnetManager.connect({ ...etcdAccess(o.etcdEndpoints, o), prefix: o.etcdPrefix, ...(observer ? { observer } : {}) });
  }
  // The HTTPS client of --remote is loaded only in that mode.
  const { RemoteSubnetManager, ServerTransport } = await import('@flannel-ts/subnet-remote');
  const transport = await ServerTransport.create(remoteServerOptions(o), log.child({ component: 'remote' }), signal);
  log.info(`Using the flannel server at ${transport.baseUrl} for network config and leases`);
  return new RemoteSubnetManager(transport);
}

/** The networks of multi-network mode served by the flanneld server of --remote (`GET /v1/`). */
export async function connectRemoteNetworkRegistry(o: FlanneldOptions, log: Logger, signal: AbortSignal): Promise<NetworkRegistry> {
  const { RemoteNetworkRegistry, ServerTransport } = await import('@flannel-ts/subnet-remote');
  const transport = await ServerTransport.create(remoteServerOptions(o), log.child({ component: 'remote' }), signal);
  log.info(`Using the flannel server at ${transport.baseUrl} for networks, their config and leases`);
  return new RemoteNetworkRegistry(transport);
}

function remoteServerOptions(o: FlanneldOptions) {
  return {
    remote: o.remote!,
    ...(o.remoteCafile ? { cafile: o.remoteCafile } : {}),
    ...(o.remoteCertfile ? { certfile: o.remoteCertfile } : {}),
    ...(o.remoteKeyfile ? { keyfile: o.remoteKeyfile } : {}),
  };
}
