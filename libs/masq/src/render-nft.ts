import { formatIP4, formatIP4Net, type IP4Net } from '@flannel-ts/ip';
import type { MasqNames } from './masq-names.js';
import { FORWARD_COMMENT, MASQ_COMMENT, MULTICAST_NET, type ForwardRules, type MasqFeatures, type MasqRules, type MasqRuleset } from './masq-rules.js';

export const NFT_POSTROUTING_CHAIN = 'postrouting';
export const NFT_FORWARD_CHAIN = 'forward';

/**
 * One `nft -f -` transaction replacing our table with exactly `ruleset`: declaring the table first
 * makes the delete succeed whether or not it existed, and the kernel applies the whole script
 * atomically, so there is no moment without rules. Without any feature the table is just deleted.
 * Stale rules for an old network or subnet vanish with the old table.
 */
export function renderNft(ruleset: MasqRuleset): string {
  const table = `ip ${ruleset.names.nftTable}`;
  const replace = [`table ${table}`, `delete table ${table}`];
  const body = renderNftTable(ruleset);
  return [...replace, ...(body === undefined ? [] : [body])].join('\n') + '\n';
}

/**
 * Our table as `nft list table` prints it (nftables 1.0), or undefined when no feature is on.
 *
 * Note on FORWARD: an accept in our base chain does not override a drop in another table's chain on
 * the same hook (e.g. a FORWARD DROP policy set through iptables); it only helps where the
 * nftables ruleset is ours to shape. iptables mode has no such limit.
 */
export function renderNftTable(ruleset: MasqRuleset): string | undefined {
  const chains = [
    ruleset.masq ? postroutingChain(ruleset.masq) : undefined,
    ruleset.forward ? forwardChain(ruleset.forward) : undefined,
  ].filter((chain): chain is string => chain !== undefined);
  if (chains.length === 0) return undefined;
  return `table ip ${ruleset.names.nftTable} {\n${chains.join('\n\n')}\n}`;
}

/**
 * A transaction removing the chains of the features in `remove` from our table, which now holds
 * `existingChains`; the table goes too when nothing else of ours is left in it. "" when there is
 * nothing to remove.
 */
export function renderNftRemoval(names: MasqNames, remove: MasqFeatures, existingChains: readonly string[]): string {
  const doomed = [remove.masq ? NFT_POSTROUTING_CHAIN : undefined, remove.forward ? NFT_FORWARD_CHAIN : undefined].filter(
    (chain): chain is string => chain !== undefined && existingChains.includes(chain),
  );
  if (doomed.length === 0) return '';
  const table = `ip ${names.nftTable}`;
  if (existingChains.every((chain) => doomed.includes(chain))) return `delete table ${table}\n`;
  return doomed.map((chain) => `flush chain ${table} ${chain}\ndelete chain ${table} ${chain}\n`).join('');
}

function postroutingChain(rules: MasqRules): string {
  const n = nftNet(rules.network);
  const s = nftNet(rules.subnet);
  const masquerade = rules.randomFully ? 'masquerade fully-random' : 'masquerade';
  return chain(NFT_POSTROUTING_CHAIN, 'type nat hook postrouting priority srcnat; policy accept;', MASQ_COMMENT, [
    `ip saddr ${n} ip daddr ${n} return`,
    `ip saddr ${n} ip daddr != ${MULTICAST_NET} ${masquerade}`,
    `ip saddr != ${n} ip daddr ${s} return`,
    `ip saddr != ${n} ip daddr ${n} ${masquerade}`,
  ]);
}

function forwardChain(rules: ForwardRules): string {
  const n = nftNet(rules.network);
  return chain(NFT_FORWARD_CHAIN, 'type filter hook forward priority filter; policy accept;', FORWARD_COMMENT, [
    `ip saddr ${n} accept`,
    `ip daddr ${n} accept`,
  ]);
}

function chain(name: string, base: string, comment: string, rules: readonly string[]): string {
  const lines = [base, ...rules.map((rule) => `${rule} comment "${comment}"`)];
  return [`\tchain ${name} {`, ...lines.map((line) => `\t\t${line}`), '\t}'].join('\n');
}

/** nft prints a /32 as the bare address. */
function nftNet(net: IP4Net): string {
  return net.prefixLen === 32 ? formatIP4(net.ip) : formatIP4Net(net);
}
