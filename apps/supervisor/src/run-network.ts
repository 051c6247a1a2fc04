import type { Logger } from 'pino';
import type { NetworkConfig } from '@flannel-ts/config';
import { formatIP4Net } from '@flannel-ts/ip';
import type { ExternalInterface } from '@flannel-ts/iface';
import { retrying } from '@flannel-ts/retry';
import { previousSubnetFromEnv, writeSubnetEnv } from '@flannel-ts/subnet-env';
import { sdNotify } from '@flannel-ts/sys';
import { LeaseKeeper, LeaseWatcher, type AcquisitionHead, type Lease, type LeaseAttrs, type LeaseListing, type SubnetManager } from '@flannel-ts/subnet';
import { daemonIdentity } from './daemon-identity.js';
import { MasqRules, removeMasqRules } from './masq.js';
import { startDatapath, type Datapath, type LeaseProposal } from './datapath.js';
import type { FlanneldOptions } from './options.js';
import type { NetworkProbe } from './network-probe.js';
import { PeerState } from './peer-state.js';
import { prepareStateDir } from './state-dir.js';
import { saveCodeCacheSoon } from './save-code-cache.js';
import { Readiness } from './readiness.js';
import type { EarlyBackend } from './backend-launcher.js';
import { rememberBackendType } from './early-backend.js';
import { startTimeline } from './start-timeline.js';
import { waitForNetworkConfig } from './wait-for-network-config.js';

/** The abort reason of a network taken out of etcd (multi-network mode): its kernel state goes too. */
export class NetworkRemoved extends Error {
  override readonly name = 'NetworkRemoved';
  constructor(readonly network: string) {
    super(`network ${network} was removed`);
  }
}

export interface NetworkRunContext {
  readonly o: FlanneldOptions;
  /** The network's lease store (etcd or a flanneld server). */
  readonly manager: SubnetManager;
  readonly ext: ExternalInterface;
  /** What names this network's state directory, lock and masq chains: its etcd prefix. */
  readonly keyPrefix: string;
  /** The env file: --subnet-file, or `<subnet-dir>/<name>.env` in multi-network mode. */
  readonly envFile: string;
  /** The env file as found at start, for the subnet to ask for first. */
  readonly previousEnv: Readonly<Record<string, string>> | undefined;
  /** A further check of the config before it is used (multi-network mode: a VNI or port another network holds). */
  readonly accept?: (config: NetworkConfig) => string | undefined;
  /** Multi-network mode: the network's name, for the backend's log lines. */
  readonly network?: string;
  /** udp's TUN name for this network (multi-network mode); undefined lets the kernel number it. */
  readonly tunNameFor?: (config: NetworkConfig) => string | undefined;
  /** Single-network mode tells systemd once the env file is written; multi-network mode never does. */
  readonly notifyReady: boolean;
  readonly readiness?: Readiness;
  /** The health endpoint's view of this network (with --healthz-port); its readiness is used. */
  readonly probe?: NetworkProbe;
  readonly log: Logger;
  /** Aborted on shutdown (kernel state, lease and rules kept) or with NetworkRemoved. */
  readonly signal: AbortSignal;
  /** The backend of the last run's type, forked before the config arrived (single-network mode). */
  readonly early?: EarlyBackend;
}

/**
 * One network, start to end: config → backend → lease → env file → ip-masq → READY=1 (single mode)
 * → renew and watch until `signal`. Stopping keeps the lease and the env file; a NetworkRemoved
 * abort also removes the backend's kernel state and the masq chains.
 */
export async function runNetwork(ctx: NetworkRunContext): Promise<void> {
  const { o, manager, ext, log, signal } = ctx;
  const readiness = ctx.probe?.readiness ?? ctx.readiness ?? new Readiness();
  const probe = ctx.probe;
  const identity = daemonIdentity(ctx.keyPrefix, ctx.envFile, o.stateDir);
  let datapath: Datapath | undefined;
  let masq: MasqRules | undefined;
  /** Ours to stop until startDatapath takes it. */
  let early = ctx.early;
  /** The acquisition's first steps, begun while the backend starts; ours to drop until the keeper takes them. */
  let head: AcquisitionHead | undefined;
  try {
    readiness.notReady('waiting for the network config');
    const config = await waitForNetworkConfig(manager, log.child({ component: 'config' }), signal, 1_000, ctx.accept);
    log.info(`Found network config - Backend type: ${config.backendType}`);
    startTimeline.mark('config');
    if (probe) probe.config = config;
    readiness.notReady('starting the backend');
    if (config.backendType !== 'alloc') await prepareStateDir(o.stateDir, identity.stateDir);
    if (ctx.early || config.backendType !== 'alloc') await rememberBackendType(identity.stateDir, config.backendType, log);

    const attrsOf = (p: LeaseProposal): LeaseAttrs => ({
      publicIp: ext.extAddr,
      ...(p.backendType ? { backendType: p.backendType } : {}),
      ...(p.backendData ? { backendData: p.backendData } : {}),
    });
    const writeEnv = async (lease: Lease, mtu: number) => {
      await writeSubnetEnv(ctx.envFile, { network: config.network, subnet: lease.subnet, mtu, ipMasq: o.ipMasq });
      log.info(`Wrote subnet file to ${ctx.envFile}`);
      startTimeline.mark('subnet file');
    };
    const retry = (failure: string) => ({ failure, log, signal });
    // The keeper needs the backend's first proposal, so it is made after the backend started.
    const leasing: { keeper?: LeaseKeeper } = {};
    /** A restarted backend proposed other attributes: the lease in the store first, then the env file. */
    const reproposed = async (proposal: LeaseProposal): Promise<Lease> => {
      const held = leasing.keeper;
      if (!held) throw new Error('a backend re-proposed before any lease was held');
      const lease = await retrying(() => held.updateAttrs(attrsOf(proposal)), retry('Updating the lease attributes'));
      await retrying(() => writeEnv(lease, proposal.mtu), retry('Rewriting the subnet file'));
      return lease;
    };

    // Listing the leases and granting the key's TTL need nothing of the backend: asked for while it starts.
    head = manager.beginAcquisition?.(Math.round(o.subnetLeaseTtlMs / 1000));
    const tunName = ctx.tunNameFor?.(config);
    const handedOver = early;
    early = undefined;
    datapath = await startDatapath({
      config,
      init: {
        iface: { name: ext.name, index: ext.index, mtu: ext.mtu, ifaceAddr: ext.ifaceAddr, extAddr: ext.extAddr },
        stateDir: identity.stateDir,
        daemonId: identity.id,
        verbosity: o.verbosity,
        ...(tunName ? { tunName } : {}),
        ...(ctx.network === undefined ? {} : { network: ctx.network }),
      },
      invokedAs: process.argv[1] ?? '',
      log: log.child({ component: 'backend' }),
      signal,
      handshakeTimeoutMs: o.backendTimeoutMs,
      onReproposal: reproposed,
      ...(handedOver ? { early: handedOver } : {}),
    });
    startTimeline.mark('backend proposed');
    const dp = datapath;
    if (probe) probe.datapath = dp;
    const rules = new MasqRules(o, ctx.keyPrefix, config.network, log.child({ component: 'masq' }), signal);
    masq = rules;
    if (probe) probe.masq = rules;
    const peers = new PeerState({ network: config.network, subnetLen: config.subnetLen, publicIp: ext.extAddr }, dp, log.child({ component: 'peers' }));

    /**
     * Our (new) lease, applied in order and retried until it holds: backend, env file, ip-masq.
     * `alongside` runs once, while the ip-masq rules go in (their commands leave the CPU free).
     */
    const applyLease = async (lease: Lease, alongside?: () => void): Promise<void> => {
      const subnet = formatIP4Net(lease.subnet);
      readiness.notReady(`applying lease ${subnet}`);
      let peersSeen = peers.forLease(lease.subnet);
      await retrying(async () => {
        // Handed once: a later attempt finds them kept, with the changes since applied.
        const handing = peersSeen;
        peersSeen = undefined;
        await dp.leaseGranted(lease, handing);
        startTimeline.mark('backend ready');
        await writeEnv(lease, dp.proposal.mtu);
        const masqApplied = rules.apply(lease.subnet);
        const run = alongside;
        alongside = undefined;
        try {
          run?.();
        } finally {
          await masqApplied;
        }
      }, retry(`Applying lease ${subnet}`));
      peers.leaseApplied();
      readiness.setReady();
    };

    let acquisitionListing: LeaseListing | undefined;
    let watching = false;
    const keeper = new LeaseKeeper({
      manager,
      range: config,
      attrs: attrsOf(dp.proposal),
      ttlMs: o.subnetLeaseTtlMs,
      renewMarginMs: o.subnetLeaseRenewMarginMs,
      log: log.child({ component: 'lease' }),
      onLeaseChanged: (lease) => applyLease(lease),
      onListing: (listing) => {
        if (!watching) acquisitionListing = listing;
      },
    });
    leasing.keeper = keeper;
    if (probe) probe.keeper = keeper;
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

    if (probe) probe.watcher = watcher;

    const previous = previousSubnetFromEnv(ctx.previousEnv);
    if (ctx.previousEnv && previous.reason) log.info(`Not reusing a subnet from ${ctx.envFile}: ${previous.reason}`);
    readiness.notReady('waiting for a lease');
    const lease = await keeper.acquire(signal, previous.net, head);
    const listing = acquisitionListing;
    acquisitionListing = undefined;
    watching = true;
    startTimeline.mark('lease');
    // The watcher starts from the listing the lease was chosen from (one listing of every lease, not
    // two), taken in once the env file is written: its peers reach the backend while ip-masq goes in.
    await applyLease(lease, listing && (() => watcher.useListing(listing, lease)));
    startTimeline.report(log);
    // Only where the daemon keeps state anyway: alloc networks and server mode write nothing there.
    if (config.backendType !== 'alloc') saveCodeCacheSoon(o.stateDir, log);
    if (ctx.notifyReady && sdNotify('READY=1')) log.debug('Sent READY=1 to systemd');
    log.info('Running backend.');

    log.info('Watching for new subnet leases');
    await Promise.all([keeper.run(signal), watcher.run(signal)]);
  } finally {
    early?.discard();
    head?.discard();
    const removed = signal.reason instanceof NetworkRemoved;
    await datapath?.stop(removed);
    if (removed) {
      await masq?.stop();
      await removeMasqRules(o, ctx.keyPrefix, log.child({ component: 'masq' }));
    }
  }
}
