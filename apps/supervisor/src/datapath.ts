import type { Logger } from 'pino';
import { parseBackendConfig, type NetworkConfig } from '@flannel-ts/config';
import { formatIP4Net } from '@flannel-ts/ip';
import { protocolLease, type InitInfo, type Lease as ProtocolLease, type Proposal, type Status } from '@flannel-ts/backend-protocol';
import type { Lease } from '@flannel-ts/subnet';
import { findBackendBinary } from './backend-binary.js';
import { BackendProcess } from './backend-process.js';
import type { EarlyBackend } from './backend-launcher.js';
import type { PeerSink } from './peer-state.js';

/** What the backend wants in its lease and in subnet.env, BackendData as the registry stores it. */
export interface LeaseProposal {
  readonly backendType?: string;
  /** Raw JSON of the lease's BackendData. */
  readonly backendData?: string;
  readonly mtu: number;
}

/** What the supervisor asks of a backend, whether it runs in-process (alloc) or as a binary. */
export interface Datapath extends PeerSink {
  /** The current proposal: a restarted backend may change it (see DatapathContext.onReproposal). */
  readonly proposal: LeaseProposal;
  /**
   * Resolves once the backend is configured with `lease`; `peers` (when known) are the peers as
   * seen from that lease, handed over right after it.
   */
  leaseGranted(lease: Lease, peers: readonly Lease[] | undefined): Promise<void>;
  /** Stops the backend, keeping its kernel state unless `removeState` (the network was removed). */
  stop(removeState?: boolean): Promise<void>;
  /** The backend's last status message (undefined for alloc, or before the first). */
  lastStatus(): Status | undefined;
  onStatus(listener: (s: Status) => void): void;
  /** How often the backend process was restarted. */
  readonly restarts: number;
  /** The backend process serving the lease; undefined while it (re)starts, and for alloc. */
  readonly backendPid: number | undefined;
}

export interface DatapathContext {
  readonly config: NetworkConfig;
  readonly init: Omit<InitInfo, 'config'>;
  readonly invokedAs: string;
  readonly log: Logger;
  /** Aborts a start that waits on a backend (SIGTERM during the handshake). */
  readonly signal: AbortSignal;
  readonly handshakeTimeoutMs: number;
  /** A restarted backend proposed something else: update the lease and subnet.env, return the lease. */
  readonly onReproposal: (proposal: LeaseProposal) => Promise<Lease>;
  /** A backend forked before the config was known: used if it runs this config's binary, discarded otherwise. */
  readonly early?: EarlyBackend;
}

/** The one table from backend type to implementation: alloc in-process, the rest as binaries. */
export async function startDatapath(ctx: DatapathContext): Promise<Datapath> {
  // waitForNetworkConfig accepted only a config whose Backend section parses.
  const type = parseBackendConfig(ctx.config).type;
  if (type === 'alloc') {
    ctx.early?.discard();
    return allocDatapath(ctx.init.iface.mtu);
  }
  let binary: string;
  try {
    binary = findBackendBinary(type, { invokedAs: ctx.invokedAs, env: process.env });
  } catch (err) {
    ctx.early?.discard();
    throw err;
  }
  const toProtocol = protocolLeases(ctx.log);
  const backend = new BackendProcess({
    binary,
    init: { ...ctx.init, config: { ...ctx.config, backend: ctx.config.backendRaw ?? { Type: type } } },
    log: ctx.log,
    handshakeTimeoutMs: ctx.handshakeTimeoutMs,
    onReproposal: async (proposal) => protocolLease(await ctx.onReproposal(leaseProposal(proposal))),
    ...(ctx.early ? { early: ctx.early } : {}),
  });
  await backend.start(ctx.signal);
  backend.supervise();
  return {
    get proposal() {
      return leaseProposal(backend.currentProposal!);
    },
    leaseGranted: (lease, peers) => backend.grantLease(protocolLease(lease), peers && toProtocol(peers)),
    peersSnapshot: (peers) => backend.setPeers(toProtocol(peers)),
    peersChanged: (events) => {
      const converted = events.flatMap((ev) => toProtocol([ev.lease]).map((lease) => ({ type: ev.type, lease })));
      backend.peersChanged(converted);
    },
    stop: (removeState) => backend.stop(removeState),
    lastStatus: () => backend.lastStatus,
    onStatus: (listener) => backend.onStatus(listener),
    get restarts() {
      return backend.restarts;
    },
    get backendPid() {
      return backend.pid;
    },
  };
}

function leaseProposal(p: Proposal): LeaseProposal {
  return {
    ...(p.backendType ? { backendType: p.backendType } : {}),
    ...(p.backendData ? { backendData: JSON.stringify(p.backendData) } : {}),
    mtu: p.mtu,
  };
}

function allocDatapath(mtu: number): Datapath {
  return {
    proposal: { mtu },
    leaseGranted: async () => undefined,
    peersSnapshot: () => undefined,
    peersChanged: () => undefined,
    stop: async () => undefined,
    lastStatus: () => undefined,
    onStatus: () => undefined,
    restarts: 0,
    backendPid: undefined,
  };
}

/** Converts leases for the IPC, skipping (with one log line) any whose BackendData is not an object. */
function protocolLeases(log: Logger): (leases: readonly Lease[]) => ProtocolLease[] {
  return (leases) =>
    leases.flatMap((lease) => {
      try {
        return [protocolLease(lease)];
      } catch (err) {
        log.warn(`Skipping lease ${formatIP4Net(lease.subnet)} for the backend: ${(err as Error).message}`);
        return [];
      }
    });
}
