import { createHash } from 'node:crypto';

/** The etcd prefix whose chains keep the plain names Go flanneld uses. */
export const DEFAULT_ETCD_PREFIX = '/coreos.com/network';

/** Where one daemon's rules live; derived from its etcd prefix so two daemons never share them. */
export interface MasqNames {
  /** iptables chain in table nat, e.g. FLANNEL-POSTRTG or FLANNEL-POSTRTG-1a2b3c4d. */
  readonly postroutingChain: string;
  /** iptables chain in table filter, e.g. FLANNEL-FWD or FLANNEL-FWD-1a2b3c4d. */
  readonly forwardChain: string;
  /** nftables table of family ip, e.g. flannel or flannel_1a2b3c4d. */
  readonly nftTable: string;
}

/**
 * Names for a daemon using `etcdPrefix`: Go flanneld's names for the default prefix, otherwise suffixed with
 * the first 8 hex digits of sha256(prefix). The prefix is hashed exactly as given.
 */
export function masqNames(etcdPrefix: string): MasqNames {
  if (etcdPrefix === DEFAULT_ETCD_PREFIX) {
    return { postroutingChain: 'FLANNEL-POSTRTG', forwardChain: 'FLANNEL-FWD', nftTable: 'flannel' };
  }
  const tag = createHash('sha256').update(etcdPrefix).digest('hex').slice(0, 8);
  return { postroutingChain: `FLANNEL-POSTRTG-${tag}`, forwardChain: `FLANNEL-FWD-${tag}`, nftTable: `flannel_${tag}` };
}
