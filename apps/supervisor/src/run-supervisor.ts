import type { Logger } from 'pino';
import { formatIP4Net } from '@flannel-ts/ip';
import { readSystemSnapshot, selectExternalInterface } from '@flannel-ts/iface';
import { retrying } from '@flannel-ts/retry';
import { previousSubnetFromEnv, readSubnetEnv, writeSubnetEnv } from '@flannel-ts/subnet-env';
import { sdNotify } from '@flannel-ts/sys';
import { LeaseKeeper, LeaseWatcher, type Lease, type LeaseAttrs } from '@flannel-ts/subnet';
import { connectSubnetManager } from './connect-subnet-manager.js';
import { daemonIdentity } from './daemon-identity.js';
import { MasqRules } from './masq.js';
import { startDatapath, type Datapath, type LeaseProposal } from './datapath.js';
import type { FlanneldOptions } from './options.js';
import { PeerState } from './peer-state.js';
import { prepareStateDir } from './state-dir.js';
import { Readiness } from './readiness.js';
import { waitForNetworkConfig } from './wait-for-network-config.js';

/** One daemon, single-network mode: lease, env file, READY=1, then renew and watch until `signal`. */
export async function runSupervisor(o: FlanneldOptions, log: Logger, signal: AbortSignal, readiness = new Readiness()): Promise<void> {
  // Loading etcd3 dominates start-up: overlap it with reading the host and the old env file.
  const [manager, snapshot, previousEnv] = await Promise.all([
    connectSubnetManager(o, log, signal),
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

    const config = await waitForNetworkConfig(manager, log.child({ component: 'config' }), signal);
    log.info(`Found network config - Backend type: ${config.backendType}`);
    if (config.backendType !== 'alloc') await prepareStateDir(o.stateDir, identity.stateDir);

    const attrsOf = (p: LeaseProposal): LeaseAttrs => ({
      publicIp: ext.extAddr,
      ...(p.backendType ? { backendType: p.backendType } : {}),
      ...(p.backendData ? { backendData: p.backendData } : {}),
    });
    const writeEnv = async (lease: Lease, mtu: number) => {
      await writeSubnetEnv(o.subnetFile, { network: config.network, subnet: lease.subnet, mtu, ipMasq: o.ipMasq });
      log.info(`Wrote subnet file to ${o.subnetFile}`);
    };
    const retry = (failure: string) => ({ failure, log, signal });
    // The keeper needs the backend's first proposal, so it is made after the backend started.
    const leasing: { keeper?: LeaseKeeper } = {};
    /** A restarted backend proposed other attributes: the lease in etcd first, then subnet.env. */
    const reproposed = async (proposal: LeaseProposal): Promise<Lease> => {
      const held = leasing.keeper;
      if (!held) throw new Error('a backend re-proposed before any lease was held');
      const lease = await retrying(() => held.updateAttrs(attrsOf(proposal)), retry('Updating the lease attributes'));
      await retrying(() => writeEnv(lease, proposal.mtu), retry('Rewriting the subnet file'));
      return lease;
    };

    datapath = await startDatapath({
      config,
      init: {
        iface: { name: ext.name, index: ext.index, mtu: ext.mtu, ifaceAddr: ext.ifaceAddr, extAddr: ext.extAddr },
        stateDir: identity.stateDir,
        daemonId: identity.id,
        verbosity: o.verbosity,
      },
      invokedAs: process.argv[1] ?? '',
      log: log.child({ component: 'backend' }),
      signal,
      handshakeTimeoutMs: o.backendTimeoutMs,
      onReproposal: reproposed,
    });
    const dp = datapath;
    const masq = new MasqRules(o, config.network, log.child({ component: 'masq' }), signal);
    const peers = new PeerState({ network: config.network, subnetLen: config.subnetLen, publicIp: ext.extAddr }, dp, log.child({ component: 'peers' }));

    /** Our (new) lease, applied in order and retried until it holds: backend, subnet.env, ip-masq. */
    const applyLease = async (lease: Lease): Promise<void> => {
      const subnet = formatIP4Net(lease.subnet);
      readiness.notReady(`applying lease ${subnet}`);
      peers.setOwn(lease.subnet);
      await retrying(async () => {
        await dp.leaseGranted(lease, peers.listedPeers());
        await writeEnv(lease, dp.proposal.mtu);
        await masq.apply(lease.subnet);
      }, retry(`Applying lease ${subnet}`));
      readiness.setReady();
    };

    const keeper = new LeaseKeeper({
      manager,
      range: config,
      attrs: attrsOf(dp.proposal),
      ttlMs: o.subnetLeaseTtlMs,
      renewMarginMs: o.subnetLeaseRenewMarginMs,
      log: log.child({ component: 'lease' }),
      onLeaseChanged: applyLease,
    });
    leasing.keeper = keeper;
    const watcher = new LeaseWatcher(
      manager,
      (events) => {
        keeper.observe(events);
        peers.changed(events);
      },
      log.child({ component: 'peers' }),
      1_000,
      (all) => peers.listed(all),
    );

    const previous = previousSubnetFromEnv(previousEnv);
    if (previousEnv && previous.reason) log.info(`Not reusing a subnet from ${o.subnetFile}: ${previous.reason}`);
    await applyLease(await keeper.acquire(signal, previous.net));
    if (sdNotify('READY=1')) log.debug('Sent READY=1 to systemd');
    log.info('Running backend.');

    log.info('Watching for new subnet leases');
    await Promise.all([keeper.run(signal), watcher.run(signal)]);
  } finally {
    await datapath?.stop();
    manager.close();
  }
}
