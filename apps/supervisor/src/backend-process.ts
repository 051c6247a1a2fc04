import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';
import type { Logger } from 'pino';
import {
  BackendChannel,
  PROTOCOL_VERSION,
  SUPERVISOR_PID_ENV,
  type InitInfo,
  type Lease,
  type PeerEvent,
  type Proposal,
} from '@flannel-ts/backend-protocol';
import { ExitError } from './exit-error.js';

const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5_000;
const HEALTHY_RESET_MS = 60_000;
const STOP_GRACE_MS = 5_000;

interface Running {
  readonly child: ResultPromise;
  readonly channel: BackendChannel;
  readonly startedAt: number;
}

/**
 * One backend binary, forked with an IPC channel and kept running: a crash is followed by a
 * restart with backoff and a replay of init → lease → peers, which the backend reconciles
 * without flushing kernel state.
 */
export class BackendProcess {
  private running: Running | undefined;
  private lease: Lease | undefined;
  private peersSent = false;
  private stopping = false;
  private backoffMs = BACKOFF_MIN_MS;
  private supervision: Promise<void> | undefined;
  private readonly halt = new AbortController();

  constructor(
    private readonly binary: string,
    private readonly init: InitInfo,
    private readonly peers: () => Lease[],
    private readonly log: Logger,
  ) {}

  /** Starts the backend and returns its proposal; exits flanneld when the first start fails. */
  async start(): Promise<Proposal> {
    try {
      return await this.spawnAndPropose();
    } catch (err) {
      throw new ExitError(`backend ${this.binary} failed to start: ${(err as Error).message}`, 1, { cause: err });
    }
  }

  /** Hands the (new) own lease to the backend and waits until it is configured. */
  async grantLease(lease: Lease): Promise<void> {
    this.lease = lease;
    const r = this.running;
    if (!r) return; // replayed on restart
    await r.channel.send({ v: PROTOCOL_VERSION, type: 'lease', ...lease });
    await r.channel.waitFor('ready');
    if (this.peersSent) this.sendSnapshot();
  }

  /** The full peer set: sent once the watcher has listed, and again after every restart. */
  sendSnapshot(): void {
    const r = this.running;
    this.peersSent = true;
    if (!r || !this.lease) return;
    void r.channel.send({ v: PROTOCOL_VERSION, type: 'peers', snapshot: this.peers() }).catch((err: Error) => this.log.warn(`sending peers: ${err.message}`));
  }

  sendEvents(events: PeerEvent[]): void {
    const r = this.running;
    if (!r || !this.peersSent || !this.lease || events.length === 0) return;
    void r.channel.send({ v: PROTOCOL_VERSION, type: 'peer-events', events }).catch((err: Error) => this.log.warn(`sending peer events: ${err.message}`));
  }

  /** Restarts the backend whenever it dies, until stop(). */
  supervise(): void {
    this.supervision ??= this.superviseLoop();
  }

  /** Asks the backend to shut down (keeping kernel state); SIGKILL after a grace period. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.halt.abort();
    const r = this.running;
    if (r) {
      if (r.channel.connected) await r.channel.send({ v: PROTOCOL_VERSION, type: 'shutdown' }).catch(() => undefined);
      const exited = await Promise.race([r.child.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
      if (!exited) {
        this.log.warn(`backend did not stop within ${STOP_GRACE_MS} ms; killing it`);
        r.child.kill('SIGKILL');
        await r.child;
      }
    }
    await this.supervision;
  }

  private async spawnAndPropose(): Promise<Proposal> {
    const child = execa(this.binary, [`-v=${this.init.verbosity}`], {
      ipc: true,
      serialization: 'json',
      buffer: false,
      reject: false,
      // We own the backend's lifetime (shutdown message, IPC close, parent-death signal): no execa
      // exit hooks killing it behind our back.
      cleanup: false,
      stdin: 'ignore',
      stdout: 'inherit',
      stderr: 'inherit',
      env: { [SUPERVISOR_PID_ENV]: String(process.pid) },
    });
    const channel = new BackendChannel(child);
    channel.on('invalid', (err) => this.log.warn(`backend sent an invalid message: ${err.message}`));
    channel.on('message', (msg) => {
      if (msg.type === 'error') (msg.fatal ? this.log.error : this.log.warn).call(this.log, `backend: ${msg.message}`);
      else if (msg.type === 'protocol-error') this.log.warn(`backend refused a message: ${msg.message}`);
      else if (msg.type === 'status') this.log.trace({ status: msg }, 'backend status');
    });
    this.running = { child, channel, startedAt: performance.now() };
    this.log.info(`Started backend ${this.binary} (pid ${child.pid})`);
    try {
      await channel.send({ v: PROTOCOL_VERSION, type: 'init', ...this.init });
      return await channel.waitFor('propose');
    } catch (err) {
      child.kill('SIGKILL');
      await child;
      this.running = undefined;
      throw err;
    }
  }

  private async superviseLoop(): Promise<void> {
    while (!this.stopping) {
      const r = this.running;
      if (r) {
        const result = await r.child;
        if (this.stopping) return;
        this.running = undefined;
        const ranMs = performance.now() - r.startedAt;
        if (ranMs > HEALTHY_RESET_MS) this.backoffMs = BACKOFF_MIN_MS;
        this.log.error(`backend exited unexpectedly (${result.signal ?? `exit ${result.exitCode}`}); restarting in ${this.backoffMs} ms`);
      }
      await sleep(this.backoffMs, undefined, { signal: this.halt.signal }).catch(() => undefined);
      if (this.stopping) return;
      this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF_MAX_MS);
      try {
        await this.spawnAndPropose();
        if (this.lease) await this.grantLease(this.lease);
      } catch (err) {
        this.log.error(`restarting backend: ${(err as Error).message}`);
      }
    }
  }
}
