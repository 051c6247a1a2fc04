import { formatIP4Net, sameNet, type IP4Net } from '@flannel-ts/ip';
import type { Logger } from '@flannel-ts/log';
import {
  Conversation,
  PROTOCOL_VERSION,
  ProtocolError,
  encodeBackendMessage,
  isJsonObject,
  parseBackendMessage,
  parseSupervisorMessage,
  type Backend,
  type BackendMessage,
  type CreateBackend,
  type InitInfo,
  type InitMessage,
  type Lease,
  type LeaseMessage,
  type PeerEvent,
  type SupervisorMessage,
} from '@flannel-ts/backend-protocol';
import { lockDaemon, type HeldLock } from './daemon-lock.js';
import { SerialQueue } from './serial-queue.js';

const v = PROTOCOL_VERSION;
export const STATUS_INTERVAL_MS = 30_000;
/** How long a backend's ask for a status report waits for more asks to join it. */
const STATUS_SOON_MS = 200;
export const STOP_DEADLINE_MS = 5_000;

export interface SessionOptions {
  readonly create: CreateBackend;
  readonly log: Logger;
  /** Aborting it stops the session; the session aborts it itself on a fatal error. */
  readonly controller: AbortController;
  /** Delivers one message to the supervisor (IPC) or to stdout (standalone). */
  readonly send: (msg: BackendMessage) => void;
  /** Called with `init` before anything else happens with it (the runner raises the log level). */
  readonly onInit?: (init: InitInfo) => void;
  /** Takes the per-daemon lock; the default is `<stateDir>/backend.lock`. */
  readonly lockDaemon?: (stateDir: string) => HeldLock;
  readonly statusIntervalMs?: number;
}

/**
 * Drives one Backend from supervisor messages, whatever carries them: validates each (answering a bad
 * one with `protocol-error`), checks its order, and queues the Backend calls so they run one at a
 * time, in order, together with the work the backend queues itself (`exclusive`). A failure in
 * propose/leaseGranted is fatal (exit 1); one in the peer calls is reported and the session goes on;
 * the backend reports fatal errors of its own through `fail`.
 */
export class BackendSession {
  private readonly conversation = new Conversation();
  private readonly queue: SerialQueue;
  private log: Logger;
  private readonly signal: AbortSignal;
  private backend: Backend | undefined;
  private lock: HeldLock | undefined;
  private ownSubnet: IP4Net | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private statusSoon: NodeJS.Timeout | undefined;
  private failed = false;
  /** The supervisor's shutdown asked for the kernel state to go (the network was removed). */
  private removeState = false;

  constructor(private readonly options: SessionOptions) {
    this.log = options.log;
    this.signal = options.controller.signal;
    this.queue = new SerialQueue((error) => this.fail(`internal error: ${describe(error)}`, error));
  }

  /** True once a fatal error happened: the process must exit 1. */
  get hasFailed(): boolean {
    return this.failed;
  }

  /** Takes one message as received (a parsed JSON value). A bad one is answered, never thrown. */
  receive(raw: unknown): void {
    if (this.signal.aborted) {
      this.log.debug({ message: raw }, 'Ignoring a message that arrived while stopping');
      return;
    }
    try {
      const msg = parseSupervisorMessage(raw);
      this.conversation.supervisorMessage(msg);
      this.dispatch(msg);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.log.warn(`Refused a message from the supervisor: ${error.message}`);
      // Never answer a protocol-error with one: two confused sides would bounce them forever.
      if (!(isJsonObject(raw) && raw.type === 'protocol-error')) {
        this.emit({ v, type: 'protocol-error', message: error.message });
      }
    }
  }

  /** Something arrived that is not even JSON (standalone stdin): answered like any malformed message. */
  refuseUnreadable(detail: string): void {
    this.log.warn(`Refused a message from the supervisor: ${detail}`);
    this.emit({ v, type: 'protocol-error', message: detail });
  }

  /** Resolves once every call queued so far has finished. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /**
   * After the controller is aborted: lets the running call finish (up to `deadlineMs`), skips the
   * queued ones, closes the backend and releases the lock. Returns the exit code.
   */
  async finish(deadlineMs = STOP_DEADLINE_MS): Promise<number> {
    clearInterval(this.statusTimer);
    // A status still due (after peer events) goes out now rather than never.
    if (this.statusSoon !== undefined) {
      clearTimeout(this.statusSoon);
      this.statusSoon = undefined;
      this.reportStatus();
    }
    this.queue.stop();
    if (!(await settlesWithin(this.queue.idle(), deadlineMs))) {
      // Closing now would run two calls at once; exiting leaves kernel state as it is, which is safe.
      this.fail(`the backend's current call did not finish within ${deadlineMs} ms of the stop request`);
    } else if (this.backend !== undefined) {
      try {
        if (!(await settlesWithin(this.backend.close(), deadlineMs))) {
          this.fail(`close did not finish within ${deadlineMs} ms`);
        }
      } catch (error) {
        this.fail(`close: ${describe(error)}`, error);
      }
      const remove = this.backend.removeState?.bind(this.backend);
      if (this.removeState && remove && !this.failed) await this.removeKernelState(remove, deadlineMs);
    }
    this.lock?.release();
    return this.failed ? 1 : 0;
  }

  private async removeKernelState(remove: () => Promise<void>, deadlineMs: number): Promise<void> {
    this.log.info('Removing the kernel state of this network');
    try {
      if (!(await settlesWithin(remove(), deadlineMs))) this.fail(`removing the kernel state did not finish within ${deadlineMs} ms`);
    } catch (error) {
      this.fail(`removing the kernel state: ${describe(error)}`, error);
    }
  }

  private dispatch(msg: SupervisorMessage): void {
    switch (msg.type) {
      case 'init':
        this.step('init', true, () => this.start(msg));
        this.step('propose', true, () => this.propose());
        return;
      case 'lease':
        this.step(`lease ${formatIP4Net(msg.subnet)}`, true, () => this.grant(msg));
        return;
      case 'peers': {
        const { snapshot } = msg;
        this.step(`peers snapshot (${snapshot.length} leases)`, false, () =>
          this.backendNow().peersSnapshot(this.withoutOwn(snapshot, (lease) => lease)),
        );
        return;
      }
      case 'peer-events': {
        const { events } = msg;
        // A busy cluster sends many of these a second; one status per burst (status() reads every entry).
        this.step(`peer events (${events.length})`, false, 'soon', async () => {
          const peerEvents = this.withoutOwn(events, (event: PeerEvent) => event.lease);
          if (peerEvents.length > 0) await this.backendNow().peersChanged(peerEvents);
        });
        return;
      }
      case 'shutdown':
        this.removeState = msg.removeState === true;
        this.log.info(this.removeState ? 'Shutdown requested by the supervisor: the network was removed' : 'Shutdown requested by the supervisor');
        this.options.controller.abort(new Error('shutdown requested'));
        return;
      case 'protocol-error':
        this.log.warn(`The supervisor refused a message from this backend: ${msg.message}`);
        return;
    }
  }

  private async start(init: InitMessage): Promise<void> {
    const { v: _v, type: _type, ...info } = init;
    this.options.onInit?.(info);
    if (info.network !== undefined) this.log = this.log.child({ network: info.network }, { msgPrefix: `Network "${info.network}": ` });
    this.lock = (this.options.lockDaemon ?? lockDaemon)(info.stateDir);
    this.backend = await this.options.create(info, {
      log: this.log,
      signal: this.signal,
      fail: (error) => this.fail(describe(error), error),
      exclusive: (job) => this.exclusive(job),
      reportStatus: () => this.reportStatusSoon(),
    });
  }

  /** A backend asked for a report (e.g. it repaired kernel entries): one message for a burst of asks. */
  private reportStatusSoon(): void {
    if (this.statusSoon !== undefined) return;
    this.statusSoon = setTimeout(() => {
      this.statusSoon = undefined;
      if (!this.signal.aborted) this.reportStatus();
    }, STATUS_SOON_MS);
    this.statusSoon.unref();
  }

  private async exclusive(job: () => Promise<void> | void): Promise<void> {
    let failure: { error: unknown } | undefined;
    await this.queue.push(async () => {
      if (this.signal.aborted) return;
      try {
        await job();
      } catch (error) {
        failure = { error };
      }
    });
    if (failure !== undefined) throw failure.error;
  }

  private async propose(): Promise<void> {
    const proposal = await this.backendNow().propose();
    let propose;
    try {
      propose = parseBackendMessage(JSON.parse(JSON.stringify(encodeBackendMessage({ ...proposal, v, type: 'propose' }))));
    } catch (error) {
      if (error instanceof ProtocolError) throw new Error(`the backend proposed an invalid lease: ${error.message}`);
      throw error;
    }
    this.emit(propose);
    this.statusTimer = setInterval(() => this.reportStatus(), this.options.statusIntervalMs ?? STATUS_INTERVAL_MS);
    this.statusTimer.unref();
  }

  private async grant(msg: LeaseMessage): Promise<void> {
    const { v: _v, type: _type, ...lease } = msg;
    this.ownSubnet = lease.subnet;
    await this.backendNow().leaseGranted(lease);
    this.emit({ v, type: 'ready' });
  }

  /** The own subnet is never a peer, whatever the supervisor sends. */
  private withoutOwn<T>(items: readonly T[], leaseOf: (item: T) => Lease): T[] {
    const own = this.ownSubnet;
    if (own === undefined) return [...items];
    const kept = items.filter((item) => !sameNet(leaseOf(item).subnet, own));
    if (kept.length < items.length) this.log.debug(`Left out the own subnet ${formatIP4Net(own)} from the peers`);
    return kept;
  }

  /** Queues a Backend call; what it throws becomes an `error` message (fatal ones stop the session). */
  private step(what: string, fatal: boolean, call: () => Promise<void>): void;
  private step(what: string, fatal: boolean, status: 'now' | 'soon', call: () => Promise<void>): void;
  private step(what: string, fatal: boolean, ...rest: [() => Promise<void>] | ['now' | 'soon', () => Promise<void>]): void {
    const [status, call] = rest.length === 1 ? (['now', rest[0]] as const) : rest;
    this.queue.push(async () => {
      if (this.signal.aborted) return;
      try {
        await call();
      } catch (error) {
        if (this.signal.aborted && isAbortError(error)) {
          this.log.debug(`${what}: cancelled`);
          return;
        }
        const message = `${what}: ${describe(error)}`;
        if (fatal) {
          this.fail(message, error);
        } else {
          this.log.error({ err: error }, message);
          this.emit({ v, type: 'error', message, fatal: false });
        }
        return;
      }
      if (status === 'now') this.reportStatus();
      else this.reportStatusSoon();
    });
  }

  private fail(message: string, error?: unknown): void {
    this.log.error(error === undefined ? {} : { err: error }, message);
    if (!this.failed) this.emit({ v, type: 'error', message, fatal: true });
    this.failed = true;
    this.options.controller.abort(error ?? new Error(message));
  }

  private reportStatus(): void {
    const backend = this.backend;
    const { state } = this.conversation;
    // Before propose the supervisor waits for exactly that; status starts after it.
    if (backend?.status === undefined || this.failed || state === 'awaiting-init' || state === 'proposing') return;
    try {
      const status = backend.status();
      this.emit(parseBackendMessage(JSON.parse(JSON.stringify(encodeBackendMessage({ ...status, v, type: 'status' })))));
    } catch (error) {
      this.log.warn(`Not reporting status: ${describe(error)}`);
    }
  }

  private emit(msg: BackendMessage): void {
    try {
      this.conversation.backendMessage(msg);
    } catch (error) {
      // Our own sequencing guarantees this never happens; say so loudly if it does.
      this.log.error(`internal error, sending anyway: ${describe(error)}`);
    }
    this.options.send(msg);
  }

  private backendNow(): Backend {
    if (this.backend === undefined) throw new Error('internal error: no backend (init did not complete)');
    return this.backend;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/** True when `promise` settles (either way: rejections are the caller's business) within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
