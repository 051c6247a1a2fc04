import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { ExitError } from '@flannel-ts/cli';
import { errorText } from '@flannel-ts/retry';
import { formatDelay } from '@flannel-ts/retry';
import { NetworkRemoved } from './run-network.js';

const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;

interface Slot {
  readonly controller: AbortController;
  done: Promise<void>;
  /** Aborted with NetworkRemoved; its run is winding down. */
  removing: boolean;
  /** Added again while it was being removed: start it once the removal is done. */
  restart: boolean;
}

/**
 * The running networks of multi-network mode, one run each. A network is started once; added again
 * while it runs it is left alone ("already exists"); removed, its run is aborted with NetworkRemoved
 * and awaited before the same name may start again (its lock, devices and files are its own).
 * A run that fails for the environment's reasons (ExitError: a missing backend binary, an unusable
 * state directory) is retried with backoff without touching the others; any other error is a bug
 * and ends the daemon through `failed`.
 */
export class NetworkSet {
  private readonly slots = new Map<string, Slot>();
  private stopping = false;
  private fail!: (err: unknown) => void;
  /** Rejects with the first bug of any run. */
  readonly failed: Promise<never> = new Promise<never>((_, reject) => (this.fail = reject));

  constructor(
    private readonly run: (name: string, signal: AbortSignal) => Promise<void>,
    private readonly signal: AbortSignal,
    private readonly log: Logger,
  ) {
    // Awaited by the caller only while it runs; a bug during shutdown must not become unhandled.
    this.failed.catch(() => undefined);
  }

  names(): string[] {
    return [...this.slots.keys()];
  }

  add(name: string): void {
    const slot = this.slots.get(name);
    if (slot && !slot.removing) {
      this.log.info(`Network "${name}": already exists`);
      return;
    }
    if (slot) {
      slot.restart = true;
      return;
    }
    this.start(name);
  }

  remove(name: string): void {
    const slot = this.slots.get(name);
    if (!slot) return;
    slot.restart = false;
    if (slot.removing) return;
    slot.removing = true;
    this.log.info(`Network "${name}": removed; stopping it`);
    slot.controller.abort(new NetworkRemoved(name));
  }

  /** Stops every run, keeping its state (as on SIGTERM), and waits for them to end. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    const slots = [...this.slots.values()];
    slots.forEach((s) => s.controller.abort(new DOMException('flanneld is stopping', 'AbortError')));
    await Promise.all(slots.map((s) => s.done));
  }

  private start(name: string): void {
    const controller = new AbortController();
    const slot: Slot = { controller, done: Promise.resolve(), removing: false, restart: false };
    this.slots.set(name, slot);
    slot.done = this.runRetried(name, AbortSignal.any([this.signal, controller.signal])).finally(() => {
      this.slots.delete(name);
      if (slot.restart && !this.stopping && !this.signal.aborted) this.start(name);
    });
  }

  private async runRetried(name: string, signal: AbortSignal): Promise<void> {
    let delayMs = RETRY_FIRST_MS;
    for (;;) {
      try {
        await this.run(name, signal);
        return;
      } catch (err) {
        if (signal.aborted) return;
        if (!(err instanceof ExitError)) {
          this.fail(err);
          return;
        }
        this.log.error(`Network "${name}": ${errorText(err)} (trying again in ${formatDelay(delayMs)})`);
      }
      try {
        await sleep(delayMs, undefined, { signal });
      } catch {
        return;
      }
      delayMs = Math.min(delayMs * 2, RETRY_MAX_MS);
    }
  }
}
