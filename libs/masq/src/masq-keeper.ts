import { setTimeout as sleep } from 'node:timers/promises';
import { formatIP4Net } from '@flannel-ts/ip';
import { masqDriver, resolveMasqBackend } from './choose-backend.js';
import { createCommandRunner, type CommandRunner } from './command-runner.js';
import type { MasqBackend, MasqDriver } from './masq-driver.js';
import { masqNames } from './masq-names.js';
import type { MasqLog, MasqOptions } from './masq-options.js';
import type { MasqRuleset } from './masq-rules.js';

interface Prepared {
  readonly driver: MasqDriver;
  readonly ruleset: MasqRuleset;
}

/**
 * Installs one daemon's ip-masq and FORWARD rules and keeps them in place: call apply() once at
 * start (it also removes our chains for a feature that is turned off), then start() to re-check
 * every period and rebuild in one batch when someone changed them. Rules are left in place on
 * exit so a restart does not interrupt traffic.
 */
export class MasqKeeper {
  private readonly run: CommandRunner;
  private prepared: Promise<Prepared> | undefined;
  /** Serialises apply and resync passes. */
  private queue: Promise<unknown> = Promise.resolve();
  private chosenBackend: MasqBackend | undefined;
  private periodicPasses = 0;

  constructor(
    private readonly opts: MasqOptions,
    private readonly log: MasqLog,
    run?: CommandRunner,
  ) {
    this.run = run ?? createCommandRunner(opts.netns);
  }

  /** The backend in use, known after the first apply (auto is decided once). */
  get backend(): MasqBackend | undefined {
    return this.chosenBackend;
  }

  apply(): Promise<void> {
    return this.serially(async () => {
      const { driver, ruleset } = await this.prepare();
      await driver.apply(ruleset);
      this.log.info(
        {
          backend: driver.backend,
          masq: ruleset.masq ? ruleset.names.postroutingChain : 'off',
          forward: ruleset.forward ? ruleset.names.forwardChain : 'off',
          network: formatIP4Net(this.opts.network),
          subnet: formatIP4Net(this.opts.subnet),
          randomFully: ruleset.masq?.randomFully ?? false,
        },
        'Applied ip-masq and forward rules',
      );
    });
  }

  /** What is missing or changed compared with what we installed; empty when intact. */
  differences(): Promise<string[]> {
    return this.serially(async () => {
      const { driver, ruleset } = await this.prepare();
      return driver.differences(ruleset);
    });
  }

  /** One resync pass: true when rules were missing and have been rebuilt. */
  async resync(): Promise<boolean> {
    const differences = await this.differences();
    if (differences.length === 0) return false;
    const what = this.chosenBackend === 'nftables' ? 'nftables' : 'iptables';
    this.log.warn({ differences }, `Some ${what} rules are missing; deleting and recreating rules`);
    await this.apply();
    return true;
  }

  /**
   * Resyncs every `periodMs` until `signal` aborts; a failing pass is logged and the next one tries
   * again. The promise settles (never rejects) once the loop has stopped.
   */
  async start(periodMs: number, signal: AbortSignal): Promise<void> {
    if (!(periodMs > 0)) throw new Error(`ip-masq resync period must be positive, got ${periodMs} ms`);
    while (!signal.aborted) {
      try {
        await sleep(periodMs, undefined, { signal });
      } catch {
        return; // aborted while waiting
      }
      try {
        await this.resync();
      } catch (error) {
        this.log.error({ err: error }, 'ip-masq resync failed; trying again next period');
      }
      this.periodicPasses++;
    }
  }

  /** How many periodic resync passes start() has finished, successful or not. */
  get resyncPasses(): number {
    return this.periodicPasses;
  }

  private prepare(): Promise<Prepared> {
    this.prepared ??= this.decide().catch((error: unknown) => {
      this.prepared = undefined; // try deciding again next time
      throw error;
    });
    return this.prepared;
  }

  private async decide(): Promise<Prepared> {
    const { opts } = this;
    const backend = await resolveMasqBackend(opts.backend, this.run);
    const driver = masqDriver(backend, this.run);
    const wanted = opts.randomFully ?? 'auto';
    const randomFully = opts.ipMasq && (wanted === 'auto' ? await driver.supportsRandomFully() : wanted);
    const ruleset: MasqRuleset = {
      names: masqNames(opts.etcdPrefix),
      masq: opts.ipMasq ? { network: opts.network, subnet: opts.subnet, randomFully } : undefined,
      forward: opts.forwardRules ? { network: opts.network } : undefined,
    };
    this.chosenBackend = backend;
    return { driver, ruleset };
  }

  private serially<T>(step: () => Promise<T>): Promise<T> {
    const next = this.queue.then(step, step);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
