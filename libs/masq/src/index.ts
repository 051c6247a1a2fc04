export { MasqKeeper } from './masq-keeper.js';
export { removeMasq, removeForward } from './remove-rules.js';
export type { MasqOptions, MasqLocation, MasqLog } from './masq-options.js';
export { masqNames, DEFAULT_ETCD_PREFIX, type MasqNames } from './masq-names.js';
export {
  MASQ_BACKEND_CHOICES,
  chooseIptablesVariant,
  countIptablesRules,
  resolveMasqBackend,
  type MasqBackendChoice,
} from './choose-backend.js';
export type { MasqBackend } from './masq-driver.js';
export type { IptablesVariant } from './iptables-driver.js';
export { createCommandRunner, type CommandRunner, type CommandResult } from './command-runner.js';
export { MASQ_COMMENT, FORWARD_COMMENT, type MasqRuleset, type MasqRules, type ForwardRules, type MasqFeatures } from './masq-rules.js';
export { renderIptablesRestore, renderIptablesRemoval, type IptablesCurrent } from './render-iptables-restore.js';
export { renderNft, renderNftTable, renderNftRemoval, NFT_POSTROUTING_CHAIN, NFT_FORWARD_CHAIN } from './render-nft.js';
