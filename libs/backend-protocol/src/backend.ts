import type { Logger } from '@flannel-ts/log';
import type { Lease, PeerEvent } from './lease.js';
import type { InitInfo, Proposal, Status } from './messages.js';

/**
 * What every datapath backend implements: propose lease attributes, then react to lease events.
 * The runner never calls two methods at once; events are delivered in order.
 */
export interface Backend {
  /** Prepare the device (e.g. vxlan creates it: its MAC goes into the lease) and say what to lease. */
  propose(): Promise<Proposal>;
  /** Own lease granted (or changed): configure the local side. */
  leaseGranted(lease: Lease): Promise<void>;
  /** Full peer set (after connect/restart) — reconcile to exactly this. Never contains the own subnet. */
  peersSnapshot(peers: readonly Lease[]): Promise<void>;
  peersChanged(events: readonly PeerEvent[]): Promise<void>;
  /** Stop; keep kernel state (zero-downtime restart). */
  close(): Promise<void>;
  /** Counters and a one-line summary, sent after every handled message and every 30 s. */
  status?(): Status;
}

export interface BackendContext {
  /** The process's root logger; make children per component. */
  readonly log: Logger;
  /** Aborted on shutdown, IPC disconnect, SIGTERM/SIGINT or a fatal error. */
  readonly signal: AbortSignal;
}

export type CreateBackend = (init: InitInfo, ctx: BackendContext) => Promise<Backend>;
