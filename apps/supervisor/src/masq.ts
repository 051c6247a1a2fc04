import type { Logger } from 'pino';
import type { IP4Net } from '@flannel-ts/ip';
import { MasqKeeper, removeForward, removeMasq, type MasqLocation } from '@flannel-ts/masq';
import { errorText, RetryableError } from '@flannel-ts/retry';
import type { FlanneldOptions } from './options.js';

/**
 * The ip-masq and FORWARD rules for the current lease, kept by a resync loop. A new lease (the
 * masquerade rules name the own subnet) replaces the keeper. Rules stay when flanneld stops.
 * Chain names derive from `keyPrefix`, the network's etcd prefix.
 */
export class MasqRules {
  private loop: AbortController | undefined;
  private looping: Promise<void> = Promise.resolve();
  private keeper: MasqKeeper | undefined;
  /** Resync passes of the keepers of earlier leases. */
  private earlierPasses = 0;

  constructor(
    private readonly o: FlanneldOptions,
    private readonly keyPrefix: string,
    private readonly network: IP4Net,
    private readonly log: Logger,
    private readonly signal: AbortSignal,
  ) {}

  async apply(subnet: IP4Net): Promise<void> {
    this.loop?.abort();
    const keeper = new MasqKeeper(
      {
        network: this.network,
        subnet,
        etcdPrefix: this.keyPrefix,
        ipMasq: this.o.ipMasq,
        forwardRules: this.o.iptablesForwardRules,
        backend: this.o.ipMasqBackend,
      },
      this.log,
    );
    try {
      await keeper.apply();
    } catch (err) {
      // The firewall's failure, not ours: applying the lease is retried.
      throw new RetryableError(`Failed to set up IP Masquerade / forward rules: ${errorText(err)}`, { cause: err });
    }
    this.earlierPasses += this.keeper?.resyncPasses ?? 0;
    this.keeper = keeper;
    const loop = new AbortController();
    this.loop = loop;
    const stop = () => loop.abort();
    this.signal.addEventListener('abort', stop, { once: true });
    this.looping = keeper.start(this.o.iptablesResyncMs, loop.signal).finally(() => this.signal.removeEventListener('abort', stop));
  }

  /** Periodic resync passes done (for metrics). */
  get resyncs(): number {
    return this.earlierPasses + (this.keeper?.resyncPasses ?? 0);
  }

  /** Stops the resync loop and waits for its last pass, so nothing re-adds a rule after it. */
  async stop(): Promise<void> {
    this.loop?.abort();
    await this.looping;
  }
}

/**
 * Removes a network's masquerade and FORWARD chains (multi-network mode, when the network is taken
 * out of etcd). A failure is logged: the network is gone either way.
 */
export async function removeMasqRules(o: FlanneldOptions, keyPrefix: string, log: Logger): Promise<void> {
  const location: MasqLocation = { etcdPrefix: keyPrefix, backend: o.ipMasqBackend };
  try {
    await removeMasq(location);
    await removeForward(location);
    log.info('Removed the ip-masq and forward rules');
  } catch (err) {
    log.error(`Removing the ip-masq and forward rules: ${errorText(err)}`);
  }
}
