import { containsIP4, formatIP4, formatIP4Net, maskOf, sizeOf, type IP4, type IP4Net } from '@flannel-ts/ip';
import { ConfigError } from './errors.js';

/** The per-host subnet size and the allocatable range, as given in the config (all optional). */
export interface SubnetRangeInput {
  readonly network: IP4Net;
  /** 0 counts as not given, as in flannel (Go's zero value). */
  readonly subnetLen?: number | undefined;
  /** 0.0.0.0 counts as not given, as in flannel (Go's zero value). */
  readonly subnetMin?: IP4 | undefined;
  /** 0.0.0.0 counts as not given, as in flannel (Go's zero value). */
  readonly subnetMax?: IP4 | undefined;
}

export interface SubnetRange {
  readonly subnetLen: number;
  readonly subnetMin: IP4;
  readonly subnetMax: IP4;
}

export const MAX_SUBNET_LEN = 30;
export const MIN_USEFUL_NETWORK_PREFIX = 28;

/**
 * Defaults and validates SubnetLen/SubnetMin/SubnetMax with flannel v0.20's rules, so Go peers
 * sharing the config compute the same range. We add one check flannel lacks: SubnetMin <= SubnetMax.
 */
export function resolveSubnetRange(input: SubnetRangeInput): SubnetRange {
  const { network } = input;
  const subnetLen = resolveSubnetLen(network, input.subnetLen || undefined);
  const subnetSize = sizeOf(subnetLen);
  // The first subnet is skipped on purpose: its zero address equals the Network's own address.
  const subnetMin = checkInNetwork('SubnetMin', network, input.subnetMin || undefined) ?? network.ip + subnetSize;
  const subnetMax =
    checkInNetwork('SubnetMax', network, input.subnetMax || undefined) ??
    network.ip + sizeOf(network.prefixLen) - subnetSize;
  checkAligned('SubnetMin', subnetMin, subnetLen);
  checkAligned('SubnetMax', subnetMax, subnetLen);
  if (subnetMin > subnetMax) {
    throw new ConfigError(
      'SubnetMin',
      `SubnetMin ${formatIP4(subnetMin)} is above SubnetMax ${formatIP4(subnetMax)}, so no subnet can be allocated`,
    );
  }
  return { subnetLen, subnetMin, subnetMax };
}

function resolveSubnetLen(network: IP4Net, given: number | undefined): number {
  const prefix = network.prefixLen;
  if (given === undefined) {
    if (prefix > MIN_USEFUL_NETWORK_PREFIX) {
      const rule = `network is too small. Minimum useful network prefix is /${MIN_USEFUL_NETWORK_PREFIX}`;
      throw new ConfigError('Network', `${rule} (got ${formatIP4Net(network)})`);
    }
    // A /24 per host when the network holds at least four of them, else a quarter of the network.
    return prefix <= 22 ? 24 : prefix + 2;
  }
  if (given > MAX_SUBNET_LEN) {
    throw new ConfigError('SubnetLen', `must be less than /${MAX_SUBNET_LEN + 1} (got ${given})`);
  }
  if (given < prefix + 2) {
    const rule = 'network must be able to accommodate at least four subnets';
    const why = `got /${given} for Network ${formatIP4Net(network)}; needs /${prefix + 2} or longer`;
    throw new ConfigError('SubnetLen', `${rule} (${why})`);
  }
  return given;
}

function checkInNetwork(field: string, network: IP4Net, ip: IP4 | undefined): IP4 | undefined {
  if (ip !== undefined && !containsIP4(network, ip)) {
    throw new ConfigError(
      field,
      `${field} is not in the range of the Network (${formatIP4(ip)} is outside ${formatIP4Net(network)})`,
    );
  }
  return ip;
}

function checkAligned(field: string, ip: IP4, subnetLen: number): void {
  if (((ip & maskOf(subnetLen)) >>> 0) !== ip) {
    throw new ConfigError(
      field,
      `${field} is not on a SubnetLen boundary: ${formatIP4(ip)} (SubnetLen is /${subnetLen})`,
    );
  }
}
