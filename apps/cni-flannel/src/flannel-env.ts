import { tryParseIP4Net, type IP4Net } from '@flannel-ts/ip';
import { readSubnetEnv } from '@flannel-ts/subnet-env';
import { CniCode, CniError } from './cni-error.js';

/** What ADD needs from flanneld's subnet file. */
export interface FlannelEnv {
  /** FLANNEL_NETWORK (a comma-separated list), host bits cleared. */
  readonly networks: readonly IP4Net[];
  /** FLANNEL_SUBNET with host bits cleared: the range host-local hands out. */
  readonly subnet: IP4Net;
  readonly mtu: number;
  /** True only for exactly "true": flanneld masquerades, so the bridge must not. */
  readonly ipMasq: boolean;
}

const REQUIRED_KEYS = ['FLANNEL_NETWORK', 'FLANNEL_SUBNET', 'FLANNEL_MTU', 'FLANNEL_IPMASQ'] as const;
const MAX_UINT32 = 0xffffffff;

/** Reads the subnet file; a missing one is "try again later": flanneld may not have written it yet. */
export async function readFlannelEnv(path: string): Promise<FlannelEnv> {
  const values = await readSubnetEnv(path);
  if (values === undefined) {
    throw new CniError(CniCode.tryAgainLater, `subnet file ${path} does not exist`, 'is flanneld running and done starting up?');
  }
  return parseFlannelEnv(values, path);
}

/** `path` only names the file in errors. */
export function parseFlannelEnv(values: Record<string, string>, path: string): FlannelEnv {
  const missing = REQUIRED_KEYS.filter((key) => !Object.hasOwn(values, key));
  if (missing.length > 0) {
    throw new CniError(CniCode.invalidSubnetFile, `subnet file ${path} is missing ${missing.join(', ')}`);
  }
  const value = (key: (typeof REQUIRED_KEYS)[number]) => values[key] as string;
  return {
    networks: value('FLANNEL_NETWORK').split(',').map((cidr) => parseCidr(cidr.trim(), 'FLANNEL_NETWORK', path)),
    subnet: parseCidr(value('FLANNEL_SUBNET'), 'FLANNEL_SUBNET', path),
    mtu: parseMtu(value('FLANNEL_MTU'), path),
    ipMasq: value('FLANNEL_IPMASQ') === 'true',
  };
}

function parseCidr(text: string, key: string, path: string): IP4Net {
  const net = tryParseIP4Net(text);
  if (net === undefined) throw invalidValue(key, text, 'an IPv4 CIDR such as 10.244.0.0/16', path);
  return net;
}

function parseMtu(text: string, path: string): number {
  const mtu = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(mtu <= MAX_UINT32)) throw invalidValue('FLANNEL_MTU', text, 'an unsigned integer', path);
  return mtu;
}

function invalidValue(key: string, text: string, expected: string, path: string): CniError {
  return new CniError(CniCode.invalidSubnetFile, `subnet file ${path}: ${key}=${JSON.stringify(text)} is not ${expected}`);
}
