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
  /**
   * After close(), when the supervisor's shutdown asked for it (the network was removed): delete
   * the devices, routes and neighbour entries this backend owns. Absent: nothing outlives the process.
   */
  removeState?(): Promise<void>;
  /** Counters and a one-line summary, sent after every handled message and every 30 s. */
  status?(): Status;
}

export interface BackendContext {
  /** The process's root logger; make children per component. */
  readonly log: Logger;
  /** Aborted on shutdown, IPC disconnect, SIGTERM/SIGINT or a fatal error. */
  readonly signal: AbortSignal;
  /**
   * Reports a fatal error found outside a Backend call (a packet thread that stopped, a reconcile
   * pass that keeps failing): the runner sends a fatal `error` message naming it, stops the session
   * (close() is still called) and the process exits 1. Returns at once. Never exit the process
   * yourself: exit happens in one place.
   */
  fail(error: unknown): void;
  /**
   * Runs `job` on the runner's one-call-at-a-time queue, after the Backend calls queued before it, so
   * work the backend starts itself (a timer's reconcile pass) never runs during a Backend call.
   * Resolves once it ran, or at once when the session is stopping (it is then skipped); rejects
   * with what it threw. Never await it inside a Backend call: that call holds the queue.
   */
  exclusive(job: () => Promise<void> | void): Promise<void>;
  /**
   * Asks for a `status` message soon (debounced), besides the ones after every handled message and
   * every 30 s: e.g. after a reconcile pass repaired kernel entries, so the supervisor sees it at once.
   */
  reportStatus(): void;
}

export type CreateBackend = (init: InitInfo, ctx: BackendContext) => Promise<Backend>;
