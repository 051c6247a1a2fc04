import type { Logger } from 'pino';
import { formatIP4, formatIP4Net, sameNet } from '@flannel-ts/ip';
import { readSystemSnapshot, selectExternalInterface } from '@flannel-ts/iface';
import { previousSubnetFromEnv, readSubnetEnv, writeSubnetEnv } from '@flannel-ts/subnet-env';
import { sdNotify } from '@flannel-ts/sys';
import { EtcdLeaseRegistry, LeaseKeeper, LeaseWatcher, type Lease, type LeaseEvent } from '@flannel-ts/subnet';
import { createLeaseBackend } from './lease-backend.js';
import type { FlanneldOptions } from './options.js';
import { waitForNetworkConfig } from './wait-for-network-config.js';

/** One daemon, single-network mode: lease, env file, READY=1, then renew and watch until `signal`. */
export async function runSupervisor(o: FlanneldOptions, log: Logger, signal: AbortSignal): Promise<void> {
  // Loading etcd3 dominates start-up: overlap it with reading the host and the old env file.
  const [registry, snapshot, previousEnv] = await Promise.all([
    EtcdLeaseRegistry.connect({ ...etcdOptions(o), prefix: o.etcdPrefix }),
    readSystemSnapshot(),
    readSubnetEnv(o.subnetFile).catch((err: Error) => {
      log.warn(`Ignoring unreadable subnet file: ${err.message}`);
      return undefined;
    }),
  ]);
  try {
    const ext = selectExternalInterface(snapshot, o);
    ext.logLines.forEach((line) => log.info(line));

    const config = await waitForNetworkConfig(registry, log.child({ component: 'config' }), signal);
    log.info(`Found network config - Backend type: ${config.backendType}`);
    const backend = createLeaseBackend(config, ext);

    const envValues = (lease: Lease) => ({ network: config.network, subnet: lease.subnet, mtu: backend.mtu, ipMasq: o.ipMasq });
    const writeEnv = async (lease: Lease) => {
      await writeSubnetEnv(o.subnetFile, envValues(lease));
      log.info(`Wrote subnet file to ${o.subnetFile}`);
    };

    const keeper = new LeaseKeeper({
      registry,
      range: config,
      attrs: backend.attrs,
      ttlMs: o.subnetLeaseTtlMs,
      renewMarginMs: o.subnetLeaseRenewMarginMs,
      log: log.child({ component: 'lease' }),
      onLeaseChanged: (lease) => void writeEnv(lease).catch((err: Error) => log.error(`failed to write subnet file: ${err.message}`)),
    });
    const previous = previousSubnetFromEnv(previousEnv);
    if (previousEnv && previous.reason) log.info(`Not reusing a subnet from ${o.subnetFile}: ${previous.reason}`);
    const lease = await keeper.acquire(signal, previous.net);
    await writeEnv(lease);
    if (sdNotify('READY=1')) log.debug('Sent READY=1 to systemd');
    log.info('Running backend.');

    const peerLog = log.child({ component: 'peers' });
    const watcher = new LeaseWatcher(registry, (events) => {
      keeper.observe(events);
      logPeerEvents(peerLog, events, keeper.lease);
    }, peerLog);
    log.info('Watching for new subnet leases');
    await Promise.all([keeper.run(signal), watcher.run(signal)]);
  } finally {
    registry.close();
  }
}

function etcdOptions(o: FlanneldOptions) {
  return {
    endpoints: o.etcdEndpoints,
    ...(o.etcdCafile ? { cafile: o.etcdCafile } : {}),
    ...(o.etcdCertfile ? { certfile: o.etcdCertfile } : {}),
    ...(o.etcdKeyfile ? { keyfile: o.etcdKeyfile } : {}),
    ...(o.etcdUsername ? { username: o.etcdUsername, password: o.etcdPassword } : {}),
  };
}

function logPeerEvents(log: Logger, events: readonly LeaseEvent[], own: Lease | undefined): void {
  for (const ev of events) {
    if (own && sameNet(ev.lease.subnet, own.subnet)) continue;
    const what = `${formatIP4Net(ev.lease.subnet)} via ${formatIP4(ev.lease.attrs.publicIp)}`;
    log.info(ev.type === 'added' ? `Subnet added: ${what}` : `Subnet removed: ${what}`);
  }
}

