import type { Logger } from 'pino';
import { formatIP4, formatIP4Net, sameNet } from '@flannel-ts/ip';
import { readSystemSnapshot, selectExternalInterface } from '@flannel-ts/iface';
import { previousSubnetFromEnv, readSubnetEnv, writeSubnetEnv } from '@flannel-ts/subnet-env';
import { sdNotify } from '@flannel-ts/sys';
import { EtcdLeaseRegistry, LeaseKeeper, LeaseWatcher, type Lease, type LeaseEvent } from '@flannel-ts/subnet';
import { daemonIdentity } from './daemon-identity.js';
import { MasqRules } from './masq.js';
import { startDatapath, type Datapath } from './datapath.js';
import { prepareStateDir } from './state-dir.js';
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
  let datapath: Datapath | undefined;
  try {
    const ext = selectExternalInterface(snapshot, o);
    ext.logLines.forEach((line) => log.info(line));
    const identity = daemonIdentity(o.etcdPrefix, o.subnetFile, o.stateDir);

    const config = await waitForNetworkConfig(registry, log.child({ component: 'config' }), signal);
    log.info(`Found network config - Backend type: ${config.backendType}`);

    let own: Lease | undefined;
    const peerLog = log.child({ component: 'peers' });
    // Runs only once the lease is held (below); its callbacks use the datapath and keeper made next.
    const watcher = new LeaseWatcher(
      registry,
      (events) => {
        keeper.observe(events);
        const peerEvents = events.filter((ev) => !own || !sameNet(ev.lease.subnet, own.subnet));
        logPeerEvents(peerLog, peerEvents);
        dp.peersChanged(peerEvents);
      },
      peerLog,
      1_000,
      () => dp.peersListed(),
    );
    const peers = () => [...watcher.leases().values()].filter((l) => !own || !sameNet(l.subnet, own.subnet));
    if (config.backendType !== 'alloc') await prepareStateDir(o.stateDir, identity.stateDir);
    datapath = await startDatapath({
      config,
      init: {
        iface: { name: ext.name, index: ext.index, mtu: ext.mtu, ifaceAddr: ext.ifaceAddr, extAddr: ext.extAddr },
        stateDir: identity.stateDir,
        daemonId: identity.id,
        verbosity: o.verbosity,
      },
      peers,
      invokedAs: process.argv[1] ?? '',
      log: log.child({ component: 'backend' }),
    });
    const dp = datapath;

    const masq = new MasqRules(o, config.network, log.child({ component: 'masq' }), signal);
    const writeEnv = async (lease: Lease) => {
      await writeSubnetEnv(o.subnetFile, { network: config.network, subnet: lease.subnet, mtu: dp.mtu, ipMasq: o.ipMasq });
      log.info(`Wrote subnet file to ${o.subnetFile}`);
    };
    const keeper = new LeaseKeeper({
      registry,
      range: config,
      attrs: {
        publicIp: ext.extAddr,
        ...(dp.backendType ? { backendType: dp.backendType } : {}),
        ...(dp.backendData ? { backendData: dp.backendData } : {}),
      },
      ttlMs: o.subnetLeaseTtlMs,
      renewMarginMs: o.subnetLeaseRenewMarginMs,
      log: log.child({ component: 'lease' }),
      onLeaseChanged: (lease) => {
        own = lease;
        void (async () => {
          await dp.leaseGranted(lease);
          await writeEnv(lease);
          await masq.apply(lease.subnet);
        })().catch((err: Error) => log.error(`applying the new lease: ${err.message}`));
      },
    });
    const previous = previousSubnetFromEnv(previousEnv);
    if (previousEnv && previous.reason) log.info(`Not reusing a subnet from ${o.subnetFile}: ${previous.reason}`);
    own = await keeper.acquire(signal, previous.net);
    await dp.leaseGranted(own);
    await writeEnv(own);
    await masq.apply(own.subnet);
    if (sdNotify('READY=1')) log.debug('Sent READY=1 to systemd');
    log.info('Running backend.');

    log.info('Watching for new subnet leases');
    await Promise.all([keeper.run(signal), watcher.run(signal)]);
  } finally {
    await datapath?.stop();
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

function logPeerEvents(log: Logger, events: readonly LeaseEvent[]): void {
  for (const ev of events) {
    const what = `${formatIP4Net(ev.lease.subnet)} via ${formatIP4(ev.lease.attrs.publicIp)}`;
    log.info(ev.type === 'added' ? `Subnet added: ${what}` : `Subnet removed: ${what}`);
  }
}
