import { tryParseIP4Net, type IP4Net } from '@flannel-ts/ip';

/** A prefix remembered in an old env file, or why there is none. */
export type RememberedNet = { readonly net: IP4Net; readonly reason?: undefined } | { readonly net?: undefined; readonly reason: string };

/**
 * The subnet this node held last time, from `FLANNEL_SUBNET` (e.g. `10.5.34.1/24` → `10.5.34.0/24`),
 * as the modern flanneld reuses it at start-up.
 */
export function previousSubnetFromEnv(env: Readonly<Record<string, string>> | undefined): RememberedNet {
  return netFromEnv(env, 'FLANNEL_SUBNET');
}

/** The network of the old env file (`FLANNEL_NETWORK`), used to find stale masquerade rules. */
export function previousNetworkFromEnv(env: Readonly<Record<string, string>> | undefined): RememberedNet {
  return netFromEnv(env, 'FLANNEL_NETWORK');
}

function netFromEnv(env: Readonly<Record<string, string>> | undefined, key: string): RememberedNet {
  const value = env?.[key];
  if (value === undefined || value === '') return { reason: `${key} is not set` };
  const net = tryParseIP4Net(value);
  if (!net) return { reason: `${key}="${value}" is not an IPv4 CIDR` };
  return { net };
}
