import type { Logger } from 'pino';
import { parseBackendConfig, type NetworkConfig } from '@flannel-ts/config';
import { formatIP4Net } from '@flannel-ts/ip';
import { protocolLease, type InitInfo, type Lease as ProtocolLease } from '@flannel-ts/backend-protocol';
import type { Lease, LeaseEvent } from '@flannel-ts/subnet';
import { findBackendBinary } from './backend-binary.js';
import { BackendProcess } from './backend-process.js';

/** What the supervisor asks of a backend, whether it runs in-process (alloc) or as a binary. */
export interface Datapath {
  readonly backendType?: string;
  /** Raw JSON of the lease's BackendData. */
  readonly backendData?: string;
  readonly mtu: number;
  leaseGranted(lease: Lease): Promise<void>;
  /** A full listing completed: send the complete peer set (DatapathContext.peers). */
  peersListed(): void;
  peersChanged(events: readonly LeaseEvent[]): void;
  stop(): Promise<void>;
}

export interface DatapathContext {
  readonly config: NetworkConfig;
  readonly init: Omit<InitInfo, 'config'>;
  readonly peers: () => readonly Lease[];
  readonly invokedAs: string;
  readonly log: Logger;
}

/** The one table from backend type to implementation: alloc in-process, the rest as binaries. */
export async function startDatapath(ctx: DatapathContext): Promise<Datapath> {
  // waitForNetworkConfig accepted only a config whose Backend section parses.
  const type = parseBackendConfig(ctx.config).type;
  if (type === 'alloc') return allocDatapath(ctx.init.iface.mtu);
  const binary = findBackendBinary(type, { invokedAs: ctx.invokedAs, env: process.env });
  const toProtocol = protocolLeases(ctx.log);
  const backend = new BackendProcess(
    binary,
    { ...ctx.init, config: { ...ctx.config, backend: ctx.config.backendRaw ?? { Type: type } } },
    () => toProtocol(ctx.peers()),
    ctx.log,
  );
  const proposal = await backend.start();
  backend.supervise();
  return {
    ...(proposal.backendType ? { backendType: proposal.backendType } : {}),
    ...(proposal.backendData ? { backendData: JSON.stringify(proposal.backendData) } : {}),
    mtu: proposal.mtu,
    leaseGranted: (lease) => backend.grantLease(protocolLease(lease)),
    peersListed: () => backend.sendSnapshot(),
    peersChanged: (events) => {
      const converted = events.flatMap((ev) => toProtocol([ev.lease]).map((lease) => ({ type: ev.type, lease })));
      backend.sendEvents(converted);
    },
    stop: () => backend.stop(),
  };
}

function allocDatapath(mtu: number): Datapath {
  return {
    mtu,
    leaseGranted: async () => undefined,
    peersListed: () => undefined,
    peersChanged: () => undefined,
    stop: async () => undefined,
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
