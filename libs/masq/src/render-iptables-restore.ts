import {
  forwardChain,
  forwardRuleLines,
  jumpSpec,
  masqChain,
  masqRuleLines,
  type IptablesChain,
} from './iptables-chains.js';
import { EMPTY_TABLE, jumpsTo, parseIptablesSave, ruleSpec, rulesOf, type SavedTable } from './iptables-save-parse.js';
import type { MasqNames } from './masq-names.js';
import type { MasqFeatures, MasqRuleset } from './masq-rules.js';

/** `iptables-save -t nat` / `-t filter` output of the host now; a missing table counts as empty. */
export interface IptablesCurrent {
  readonly nat?: string;
  readonly filter?: string;
}

/**
 * One `iptables-restore --noflush` batch that makes our chains hold exactly `ruleset`:
 * `:CHAIN - [0:0]` creates the chain or flushes ours, the rules refill it, and exactly one jump to
 * it is left in the built-in chain (see settleJump). Applying it any number of times gives the same
 * ruleset. A feature missing from `ruleset` has its chain and jumps removed, if present.
 *
 * Stale rules: Go flanneld deletes the masquerade rules built from an old network/subnet (read from the old
 * subnet file). Here every rule for this prefix lives in our own chains, flushed and refilled by
 * each batch, so rules for an old network or subnet vanish by construction.
 *
 * Returns "" when there is nothing to do.
 */
export function renderIptablesRestore(ruleset: MasqRuleset, current: IptablesCurrent = {}): string {
  const nat = masqChain(ruleset.names);
  const filter = forwardChain(ruleset.names);
  return [
    ruleset.masq ? fillBlock(nat, masqRuleLines(nat, ruleset.masq), saved(current.nat)) : removeBlock(nat, saved(current.nat)),
    ruleset.forward
      ? fillBlock(filter, forwardRuleLines(filter, ruleset.forward), saved(current.filter))
      : removeBlock(filter, saved(current.filter)),
  ].join('');
}

/** A batch removing only the chains (and the jumps to them) of the features in `remove`; "" when none is there. */
export function renderIptablesRemoval(names: MasqNames, remove: MasqFeatures, current: IptablesCurrent = {}): string {
  return [
    remove.masq ? removeBlock(masqChain(names), saved(current.nat)) : '',
    remove.forward ? removeBlock(forwardChain(names), saved(current.filter)) : '',
  ].join('');
}

function fillBlock(chain: IptablesChain, ruleLines: readonly string[], table: SavedTable): string {
  return tableBlock(chain.table, [`:${chain.chain} - [0:0]`, ...ruleLines, ...settleJump(chain, table)]);
}

/**
 * Leaves exactly one jump: nothing to do when it is already there once. Otherwise every jump to our
 * chain goes and one comes back where the first proper jump stood, or at position 1 (Go flanneld's place) when
 * there was none. An existing jump keeps its place, so daemons of two prefixes do not keep
 * swapping theirs at the top.
 */
function settleJump(chain: IptablesChain, table: SavedTable): string[] {
  const hookRules = rulesOf(table, chain.hook);
  const wanted = `-A ${chain.hook} ${jumpSpec(chain)}`;
  const ours = jumpsTo(table, chain.hook, chain.chain);
  const first = hookRules.indexOf(wanted);
  if (ours.length === 1 && first >= 0) return [];
  const deletedBeforeFirst = hookRules.slice(0, Math.max(first, 0)).filter((line) => ours.includes(line)).length;
  const position = first < 0 ? 1 : first + 1 - deletedBeforeFirst;
  return [...deleteJumps(chain, table), `-I ${chain.hook} ${position} ${jumpSpec(chain)}`];
}

function removeBlock(chain: IptablesChain, table: SavedTable): string {
  const exists = table.chains.has(chain.chain);
  const lines = [...deleteJumps(chain, table), ...(exists ? [`-F ${chain.chain}`, `-X ${chain.chain}`] : [])];
  return lines.length === 0 ? '' : tableBlock(chain.table, lines);
}

function deleteJumps(chain: IptablesChain, table: SavedTable): string[] {
  return jumpsTo(table, chain.hook, chain.chain).map((line) => `-D ${chain.hook} ${ruleSpec(line)}`);
}

function tableBlock(table: string, lines: readonly string[]): string {
  return [`*${table}`, ...lines, 'COMMIT', ''].join('\n');
}

function saved(text: string | undefined): SavedTable {
  return text === undefined ? EMPTY_TABLE : parseIptablesSave(text);
}
