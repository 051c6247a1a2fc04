import type { Logger } from 'pino';
import type { IP4Net } from '@flannel-ts/ip';
import { MasqKeeper } from '@flannel-ts/masq';
import { errorText, RetryableError } from '@flannel-ts/retry';
import type { FlanneldOptions } from './options.js';

/**
 * The ip-masq and FORWARD rules for the current lease, kept by a resync loop. A new lease (the
 * masquerade rules name the own subnet) replaces the keeper. Rules stay when flanneld stops.
 */
export class MasqRules {
  private loop: AbortController | undefined;

  constructor(
    private readonly o: FlanneldOptions,
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
        etcdPrefix: this.o.etcdPrefix,
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
    const loop = new AbortController();
    this.loop = loop;
    const stop = () => loop.abort();
    this.signal.addEventListener('abort', stop, { once: true });
    void keeper.start(this.o.iptablesResyncMs, loop.signal).finally(() => this.signal.removeEventListener('abort', stop));
  }
}
