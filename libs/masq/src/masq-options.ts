import type { Logger } from '@flannel-ts/log';
import type { IP4Net } from '@flannel-ts/ip';
import type { MasqBackendChoice } from './choose-backend.js';

export interface MasqOptions {
  /** N: the flannel network. */
  readonly network: IP4Net;
  /** S: this host's lease. */
  readonly subnet: IP4Net;
  /** Chain and table names derive from it (see masqNames). */
  readonly etcdPrefix: string;
  /** --ip-masq: masquerade traffic leaving the flannel network. */
  readonly ipMasq: boolean;
  /** --iptables-forward-rules: ACCEPT flannel traffic in FORWARD. */
  readonly forwardRules: boolean;
  /** --ip-masq-backend. */
  readonly backend: MasqBackendChoice;
  /** Default 'auto': use --random-fully when the backend supports it. */
  readonly randomFully?: 'auto' | boolean;
  /** Run every command inside this network namespace (tests); production leaves it out. */
  readonly netns?: string;
}

/** What removeMasq / removeForward need to find our rules. */
export type MasqLocation = Pick<MasqOptions, 'etcdPrefix' | 'backend' | 'netns'>;

export type MasqLog = Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
