import { formatIP4Net } from '@flannel-ts/ip';
import type { MasqNames } from './masq-names.js';
import { FORWARD_COMMENT, MASQ_COMMENT, MULTICAST_NET, type ForwardRules, type MasqRules } from './masq-rules.js';

/** One of our iptables chains and the built-in chain that jumps to it. */
export interface IptablesChain {
  readonly table: 'nat' | 'filter';
  readonly hook: 'POSTROUTING' | 'FORWARD';
  readonly chain: string;
  readonly comment: string;
}

export function masqChain(names: MasqNames): IptablesChain {
  return { table: 'nat', hook: 'POSTROUTING', chain: names.postroutingChain, comment: MASQ_COMMENT };
}

export function forwardChain(names: MasqNames): IptablesChain {
  return { table: 'filter', hook: 'FORWARD', chain: names.forwardChain, comment: FORWARD_COMMENT };
}

/** The jump rule's match and target, as iptables-save prints it after "-A <hook> ". */
export function jumpSpec(chain: IptablesChain): string {
  return `${commentMatch(chain.comment)} -j ${chain.chain}`;
}

/**
 * Go flanneld v0.20's masquerade rules, written exactly as iptables-save prints them (both variants) so a listing
 * can be compared line by line.
 */
export function masqRuleLines(chain: IptablesChain, rules: MasqRules): string[] {
  const n = formatIP4Net(rules.network);
  const s = formatIP4Net(rules.subnet);
  const masquerade = rules.randomFully ? 'MASQUERADE --random-fully' : 'MASQUERADE';
  const line = (match: string, target: string): string => `-A ${chain.chain} ${match} ${commentMatch(chain.comment)} -j ${target}`;
  return [
    // Pod to pod inside the flannel network: keep the source.
    line(`-s ${n} -d ${n}`, 'RETURN'),
    // Pod to the outside world (multicast excepted): masquerade.
    line(`-s ${n} ! -d ${MULTICAST_NET}`, masquerade),
    // Outside world to a local pod: keep the source.
    line(`! -s ${n} -d ${s}`, 'RETURN'),
    // Outside world to a remote pod: masquerade so the reply comes back through this host.
    line(`! -s ${n} -d ${n}`, masquerade),
  ];
}

export function forwardRuleLines(chain: IptablesChain, rules: ForwardRules): string[] {
  const n = formatIP4Net(rules.network);
  return [
    `-A ${chain.chain} -s ${n} ${commentMatch(chain.comment)} -j ACCEPT`,
    `-A ${chain.chain} -d ${n} ${commentMatch(chain.comment)} -j ACCEPT`,
  ];
}

function commentMatch(comment: string): string {
  return `-m comment --comment "${comment}"`;
}
