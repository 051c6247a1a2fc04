import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { subnetKey } from '@flannel-ts/ip';
import {
  BackendChannel,
  PROTOCOL_VERSION,
  SUPERVISOR_PID_ENV,
  type InitInfo,
  type Lease,
  type PeerEvent,
  type Proposal,
  type Status,
} from '@flannel-ts/backend-protocol';
import { errorText, RetryableError } from '@flannel-ts/retry';
import { ExitError } from '@flannel-ts/cli';
import { startTimeline } from './start-timeline.js';
import type { EarlyBackend } from './backend-launcher.js';

const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5_000;
const HEALTHY_RESET_MS = 60_000;
const STOP_GRACE_MS = 5_000;
/**
 * All a backend needs of flanneld's environment: the locale, and for the cloud backends the cloud
 * SDKs' own variables (credentials, region, endpoint overrides) and proxies. etcd credentials
 * (FLANNELD_ETCD_PASSWORD...) stay behind. FLANNEL_LOG_FORMAT carries flanneld's log format.
 */
const PASSED_ENV = /^(PATH|LANG|LC_ALL|TZ|FLANNEL_LOG_FORMAT|(AWS|GOOGLE|GCE|FLANNEL_GCE)_[A-Z0-9_]+|METADATA_SERVER_DETECTION|(HTTPS?|NO)_PROXY|(https?|no)_proxy)$/;

export interface BackendProcessOptions {
  readonly binary: string;
  readonly init: InitInfo;
  readonly log: Logger;
  /** How long a backend may take to answer init with propose, and a lease with ready. */
  readonly handshakeTimeoutMs: number;
  /**
   * A restarted backend proposed other attributes (VtepMAC, MTU...): bring the lease in the
   * registry and subnet.env in line, in that order, and return the lease to hand it. Awaited
   * before the new backend gets its lease.
   */
  readonly onReproposal: (proposal: Proposal) => Promise<Lease>;
  /**
   * A process started before the config was known: the last run's backend, used when it runs
   * `binary`, or a launcher, made into `binary` when their node flags agree.
   */
  readonly early?: EarlyBackend;
}

/** How a backend process ended; both null when it never started. */
export interface BackendExit {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A forked backend binary with its IPC channel, not yet given init. */
export interface SpawnedBackend {
  readonly binary: string;
  readonly child: ChildProcess;
  /** Settles once the process is gone and its IPC channel closed (never rejects). */
  readonly exited: Promise<BackendExit>;
  readonly channel: BackendChannel;
  /** False once the process exited. */
  alive(): boolean;
  /** Stops a process that will not be used (it holds nothing yet: no lock, no kernel state). */
  discard(): void;
}

/** Forks `binary` with an IPC channel; it waits for init. */
export function spawnBackend(binary: string, verbosity: number, log: Logger): SpawnedBackend {
  const forked = forkWithChannel(binary, [`-v=${verbosity}`], log);
  log.info(`Started backend ${binary} (pid ${forked.child.pid})`);
  return { binary, ...forked };
}

/**
 * A process forked as backends are (their environment, an IPC channel listened to from the start),
 * marked on the start-up timeline. Node's own spawn, not execa: this runs on every start, before
 * etcd is connected, and execa's modules take ~40 ms to load in lite mode.
 */
export function forkWithChannel(file: string, args: readonly string[], log: Logger): Omit<SpawnedBackend, 'binary'> {
  const child = spawn(file, args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'json',
    env: { ...passedEnv(), [SUPERVISOR_PID_ENV]: String(process.pid) },
  });
  const exited = new Promise<BackendExit>((resolve) => {
    child.once('close', (exitCode, signal) => resolve({ exitCode, signal }));
    // A binary that cannot be started (ENOENT, EACCES) emits error before close; later errors
    // (a failed kill) are only logged.
    child.on('error', (err) => {
      log.error(`${file} (pid ${child.pid ?? 'none'}): ${err.message}`);
      if (child.pid === undefined) resolve({ exitCode: null, signal: null });
    });
  });
  // Node sets one of them when the process exits, or when it could not be started.
  const alive = () => child.exitCode === null && child.signalCode === null;
  const channel = new BackendChannel(child);
  channel.on('invalid', (err) => log.warn(`backend sent an invalid message: ${err.message}`));
  startTimeline.mark('backend forked');
  return {
    child,
    channel,
    exited,
    alive,
    discard: () => {
      child.kill('SIGTERM');
      // It holds nothing yet; one that ignores SIGTERM is not left behind.
      setTimeout(() => {
        if (alive()) child.kill('SIGKILL');
      }, STOP_GRACE_MS).unref();
    },
  };
}

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<BackendExit>;
  readonly channel: BackendChannel;
  readonly startedAt: number;
  /** It answered init: from now on it may be given a lease. */
  proposed: boolean;
  /** The lease this backend answered ready to. */
  acked?: Lease;
  /** Lease hand-overs to this backend, one at a time. */
  exchanges: Promise<void>;
}

/** The backend did not answer in time. */
class HandshakeTimeout extends RetryableError {
  override readonly name = 'HandshakeTimeout';
}

/**
 * One backend binary, forked with an IPC channel and kept running: a crash, or a backend that
 * stops answering, is followed by a restart with backoff and a replay of init → lease → peers,
 * which the backend reconciles without flushing kernel state. It keeps the peers it was given,
 * so the replay is the current set.
 */
export class BackendProcess {
  private running: Running | undefined;
  private proposal: Proposal | undefined;
  private lease: Lease | undefined;
  private readonly peers = new Map<string, Lease>();
  private peersKnown = false;
  private stopping = false;
  private backoffMs = BACKOFF_MIN_MS;
  private supervision: Promise<void> | undefined;
  private readonly halt = new AbortController();
  private readonly ackWaiters = new Set<() => void>();
  private status: Status | undefined;
  private readonly statusListeners: ((s: Status) => void)[] = [];
  private restartCount = 0;

  private early: EarlyBackend | undefined;

  constructor(private readonly o: BackendProcessOptions) {
    this.early = o.early;
  }

  /** Times the backend died (or was killed for not answering) and was started again. */
  get restarts(): number {
    return this.restartCount;
  }

  /** The pid of the backend serving the current lease; undefined while it (re)starts. */
  get pid(): number | undefined {
    const r = this.running;
    return r && this.isCurrent(r) ? r.child.pid : undefined;
  }

  /** The last status message of any backend process of this network. */
  get lastStatus(): Status | undefined {
    return this.status;
  }

  onStatus(listener: (s: Status) => void): void {
    this.statusListeners.push(listener);
  }

  /** The latest proposal (a restarted backend may have changed it). */
  get currentProposal(): Proposal | undefined {
    return this.proposal;
  }

  /**
   * Starts the backend and returns its proposal. A backend that fails or exits ends flanneld
   * (exit 1); one that does not answer in time is killed and started again with backoff.
   */
  async start(signal: AbortSignal): Promise<Proposal> {
    const stop = () => this.halt.abort(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
    try {
      for (;;) {
        try {
          this.proposal = await this.spawnAndPropose();
          return this.proposal;
        } catch (err) {
          if (this.halt.signal.aborted) throw this.halt.signal.reason;
          if (!(err instanceof HandshakeTimeout)) {
            throw new ExitError(`backend ${this.o.binary} failed to start: ${errorText(err)}`, 1, { cause: err });
          }
          this.o.log.error(`${err.message}; starting it again in ${this.backoffMs} ms`);
          await sleep(this.backoffMs, undefined, { signal: this.halt.signal });
          this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF_MAX_MS);
        }
      }
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  /**
   * Hands the (new) own lease to the backend and resolves once a backend is configured with it,
   * be it this one or, when this one fails or hangs, the one started in its place.
   */
  async grantLease(lease: Lease, peers?: readonly Lease[]): Promise<void> {
    this.lease = lease;
    // Stored, not sent: the backend gets them once it is ready with the new lease.
    if (peers) void this.setPeers(peers);
    const r = this.running;
    if (r?.proposed) void this.handOver(r);
    await this.acknowledged(lease);
  }

  /** The full peer set; resolves once it is on its way to the backend, or stored for the next one. */
  async setPeers(peers: readonly Lease[]): Promise<void> {
    this.peers.clear();
    for (const peer of peers) this.peers.set(subnetKey(peer.subnet), peer);
    this.peersKnown = true;
    const r = this.running;
    if (r && this.isCurrent(r)) await this.sendSnapshot(r);
  }

  peersChanged(events: readonly PeerEvent[]): void {
    for (const ev of events) {
      if (ev.type === 'added') this.peers.set(subnetKey(ev.lease.subnet), ev.lease);
      else this.peers.delete(subnetKey(ev.lease.subnet));
    }
    const r = this.running;
    if (!r || !this.isCurrent(r) || !this.peersKnown || events.length === 0) return;
    void r.channel
      .send({ v: PROTOCOL_VERSION, type: 'peer-events', events: [...events] })
      // Nothing to do here: a backend that is gone is restarted and gets the whole set again.
      .catch((err: Error) => this.o.log.warn(`sending peer events: ${err.message}`));
  }

  /** Restarts the backend whenever it dies, until stop(). */
  supervise(): void {
    this.supervision ??= this.superviseLoop();
  }

  /**
   * Asks the backend to shut down, keeping its kernel state unless `removeState` (the network was
   * removed); SIGKILL after a grace period.
   */
  async stop(removeState = false): Promise<void> {
    this.stopping = true;
    this.halt.abort();
    this.ackWaiters.forEach((wake) => wake());
    const r = this.running;
    if (r) {
      if (r.channel.connected) await r.channel.send({ v: PROTOCOL_VERSION, type: 'shutdown', ...(removeState ? { removeState } : {}) }).catch(() => undefined);
      const exited = await Promise.race([r.exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
      if (!exited) {
        this.o.log.warn(`backend did not stop within ${STOP_GRACE_MS} ms; killing it`);
        r.child.kill('SIGKILL');
        await r.exited;
      }
    }
    await this.supervision;
  }

  private isCurrent(r: Running): boolean {
    return r.acked !== undefined && r.acked === this.lease;
  }

  private sendSnapshot(r: Running): Promise<void> {
    return r.channel
      .send({ v: PROTOCOL_VERSION, type: 'peers', snapshot: [...this.peers.values()] })
      // A backend that is gone is restarted and gets the snapshot again.
      .catch((err: Error) => this.o.log.warn(`sending peers: ${err.message}`));
  }

  /** Sends the current lease to `r` and waits for ready; a backend that fails or hangs is killed (and restarted). */
  private handOver(r: Running): Promise<void> {
    r.exchanges = r.exchanges.then(async () => {
      const lease = this.lease;
      if (!lease || this.running !== r || r.acked === lease) return;
      try {
        await r.channel.send({ v: PROTOCOL_VERSION, type: 'lease', ...lease });
        await r.channel.waitFor('ready', this.deadline('answer the lease with ready'));
      } catch (err) {
        if (this.stopping) return;
        this.o.log.error(`backend: ${errorText(err)}; killing it`);
        r.child.kill('SIGKILL');
        return;
      }
      r.acked = lease;
      if (this.peersKnown && this.lease === lease) void this.sendSnapshot(r);
      this.ackWaiters.forEach((wake) => wake());
    });
    return r.exchanges;
  }

  private acknowledged(lease: Lease): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.stopping) {
          this.ackWaiters.delete(check);
          reject(this.halt.signal.reason ?? new Error('the backend is stopping'));
        } else if (this.running?.acked === lease || this.lease !== lease) {
          // Acknowledged, or superseded by a newer lease whose grant the caller no longer waits for.
          this.ackWaiters.delete(check);
          resolve();
        }
      };
      this.ackWaiters.add(check);
      check();
    });
  }

  /** An abort signal for one answer: the handshake deadline, or stop(). */
  private deadline(what: string): AbortSignal {
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new HandshakeTimeout(`backend did not ${what} within ${this.o.handshakeTimeoutMs} ms`)),
      this.o.handshakeTimeoutMs,
    );
    timer.unref();
    return AbortSignal.any([timeout.signal, this.halt.signal]);
  }

  private async spawnAndPropose(): Promise<Proposal> {
    const early = this.early;
    this.early = undefined;
    const ready = early?.alive() ? ('launch' in early ? early.launch(this.o.binary, this.o.init.verbosity) : early.binary === this.o.binary ? early : undefined) : undefined;
    const spawned = ready ?? spawnBackend(this.o.binary, this.o.init.verbosity, this.o.log);
    if (early && spawned.child !== early.child) early.discard();
    const { child, channel, exited } = spawned;
    const { log } = this.o;
    channel.on('message', (msg) => {
      if (msg.type === 'error') (msg.fatal ? log.error : log.warn).call(log, `backend: ${msg.message}`);
      else if (msg.type === 'protocol-error') log.warn(`backend refused a message: ${msg.message}`);
      else if (msg.type === 'status') {
        log.trace({ status: msg }, 'backend status');
        const { v: _v, type: _type, ...status } = msg;
        this.status = status;
        for (const listener of this.statusListeners) listener(status);
      }
    });
    const running: Running = { child, channel, exited, startedAt: performance.now(), proposed: false, exchanges: Promise.resolve() };
    this.running = running;
    try {
      await channel.send({ v: PROTOCOL_VERSION, type: 'init', ...this.o.init });
      const proposal = await channel.waitFor('propose', this.deadline('answer init with propose'));
      running.proposed = true;
      const { v: _v, type: _type, ...rest } = proposal;
      return rest;
    } catch (err) {
      child.kill('SIGKILL');
      await exited;
      this.running = undefined;
      throw err;
    }
  }

  private async superviseLoop(): Promise<void> {
    while (!this.stopping) {
      const r = this.running;
      if (r) {
        const result = await r.exited;
        if (this.stopping) return;
        this.running = undefined;
        this.restartCount++;
        const ranMs = performance.now() - r.startedAt;
        if (ranMs > HEALTHY_RESET_MS) this.backoffMs = BACKOFF_MIN_MS;
        this.o.log.error(`backend exited unexpectedly (${result.signal ?? `exit ${result.exitCode}`}); restarting in ${this.backoffMs} ms`);
      }
      await sleep(this.backoffMs, undefined, { signal: this.halt.signal }).catch(() => undefined);
      if (this.stopping) return;
      this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF_MAX_MS);
      try {
        const proposal = await this.spawnAndPropose();
        if (this.lease && !sameProposal(this.proposal, proposal)) {
          this.o.log.warn(`The restarted backend proposed ${describe(proposal)} (was ${describe(this.proposal)}); updating the lease`);
          this.lease = await this.o.onReproposal(proposal);
        }
        this.proposal = proposal;
        const started = this.running;
        if (started) await this.handOver(started);
      } catch (err) {
        if (this.stopping) return;
        this.o.log.error(`restarting backend: ${errorText(err)}`);
        this.running?.child.kill('SIGKILL');
      }
    }
  }
}

export function passedEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).flatMap(([name, value]) => (value !== undefined && PASSED_ENV.test(name) ? [[name, value]] : [])));
}

function sameProposal(a: Proposal | undefined, b: Proposal): boolean {
  return describe(a) === describe(b);
}

function describe(p: Proposal | undefined): string {
  if (!p) return 'nothing';
  return `type ${p.backendType ?? '(none)'}, MTU ${p.mtu}, BackendData ${JSON.stringify(p.backendData ?? null)}`;
}
