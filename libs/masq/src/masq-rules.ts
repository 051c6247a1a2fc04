import type { IP4Net } from '@flannel-ts/ip';
import type { MasqNames } from './masq-names.js';

/** Masquerade for traffic leaving the flannel network (Go flanneld v0.20's four rules). */
export interface MasqRules {
  /** N: the whole flannel network. */
  readonly network: IP4Net;
  /** S: this host's lease. */
  readonly subnet: IP4Net;
  /** Add --random-fully / fully-random to the MASQUERADE rules. */
  readonly randomFully: boolean;
}

/** ACCEPT in FORWARD for traffic from and to the flannel network. */
export interface ForwardRules {
  readonly network: IP4Net;
}

/**
 * The complete set of rules one daemon wants. A feature left out means "none of ours": applying the
 * ruleset removes that feature's chain (a daemon started with the feature turned off cleans up).
 */
export interface MasqRuleset {
  readonly names: MasqNames;
  readonly masq?: MasqRules;
  readonly forward?: ForwardRules;
}

/** Which of our features a removal takes away. */
export interface MasqFeatures {
  readonly masq: boolean;
  readonly forward: boolean;
}

export const MASQ_COMMENT = 'flanneld masq';
export const FORWARD_COMMENT = 'flanneld forward';
export const MULTICAST_NET = '224.0.0.0/4';
