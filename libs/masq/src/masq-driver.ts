import type { MasqNames } from './masq-names.js';
import type { MasqFeatures, MasqRuleset } from './masq-rules.js';

export type MasqBackend = 'iptables-nft' | 'iptables-legacy' | 'nftables';

/** One way of putting our rules into the kernel. */
export interface MasqDriver {
  readonly backend: MasqBackend;
  /** Makes our chains hold exactly `ruleset` (features left out are removed) in one batch. */
  apply(ruleset: MasqRuleset): Promise<void>;
  /** How the kernel differs from `ruleset` (its features only); empty when intact. */
  differences(ruleset: MasqRuleset): Promise<string[]>;
  /** Removes the chains of the features in `remove`, and nothing else. */
  remove(names: MasqNames, remove: MasqFeatures): Promise<void>;
  /** Whether MASQUERADE can take --random-fully / fully-random here. */
  supportsRandomFully(): Promise<boolean>;
}
