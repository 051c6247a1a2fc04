import { formatIP4Net, tryParseIP4, tryParseIP4Net, type IP4, type IP4Net } from '@flannel-ts/ip';
import { checkIPv6Fields } from './ipv6-fields.js';
import { isJsonObject, JsonFields, parseJsonObject, type JsonObject } from './json-fields.js';
import { resolveSubnetRange } from './subnet-range.js';

/** The network config stored at `<prefix>/config`, parsed, defaulted and validated. */
export interface NetworkConfig {
  /** The overlay range, host bits cleared. */
  readonly network: IP4Net;
  /** Prefix length of each host's subnet. */
  readonly subnetLen: number;
  /** First and last allocatable subnet addresses (aligned to subnetLen, inside network). */
  readonly subnetMin: IP4;
  readonly subnetMax: IP4;
  /** flannel v0.20's experimental `Networks` list (empty when absent). */
  readonly networks: readonly IP4Net[];
  /** `Backend.Type` lower-cased; "udp" when `Backend` is absent, "" when it has no `Type`. May be unknown. */
  readonly backendType: string;
  /** The `Backend` object as written (undefined when absent); parse it with parseBackendConfig. */
  readonly backendRaw: JsonObject | undefined;
}

export const DEFAULT_BACKEND_TYPE = 'udp';

/** Parses the config JSON with Go encoding/json rules and flannel v0.20's validation. Throws ConfigError. */
export function parseNetworkConfig(text: string): NetworkConfig {
  return parseNetworkConfigObject(parseJsonObject(text));
}

/** parseNetworkConfig of a document already decoded. Throws ConfigError. */
export function parseNetworkConfigObject(document: JsonObject): NetworkConfig {
  const fields: JsonFields = new JsonFields(document);
  const network = readIP4Net(fields, 'Network');
  const subnetLen = fields.uint('SubnetLen');
  const subnetMin = readIP4(fields, 'SubnetMin');
  const subnetMax = readIP4(fields, 'SubnetMax');
  const networks = readNetworks(fields);
  const backendRaw = readBackend(fields);
  const backendType = readBackendType(backendRaw);
  if (fields.bool('EnableIPv4') === false) {
    fields.fail('EnableIPv4', 'must not be false: flannel-ts supports IPv4 only');
  }
  checkIPv6Fields(fields);

  // flannel treats the zero network like a missing one.
  if (network === undefined || (network.ip === 0 && network.prefixLen === 0)) {
    const got = network === undefined ? 'missing' : `got ${formatIP4Net(network)}`;
    fields.fail('Network', `please define a correct Network parameter in the flannel config (${got})`);
  }
  const range = resolveSubnetRange({ network, subnetLen, subnetMin, subnetMax });
  return { network, ...range, networks, backendType, backendRaw };
}

function readIP4Net(fields: JsonFields, name: string, value: unknown = fields.raw(name)): IP4Net | undefined {
  if (value === undefined) return undefined;
  const net = typeof value === 'string' ? tryParseIP4Net(value) : undefined;
  if (net === undefined) fields.failType(name, 'an IPv4 CIDR like 10.1.0.0/16', value);
  return net;
}

function readIP4(fields: JsonFields, name: string): IP4 | undefined {
  const text = fields.string(name, { nullAllowed: false });
  if (text === undefined) return undefined;
  const ip = tryParseIP4(text);
  if (ip === undefined) fields.failType(name, 'an IPv4 address like 10.1.1.0', text);
  return ip;
}

function readNetworks(fields: JsonFields): IP4Net[] {
  const list = fields.array('Networks') ?? [];
  return list.map((entry, i) => readIP4Net(fields, `Networks[${i}]`, entry)!);
}

/** Go keeps `Backend` as raw JSON; `null` decodes as a Backend without a Type. */
function readBackend(fields: JsonFields): JsonObject | undefined {
  const value = fields.raw('Backend');
  if (value === undefined) return undefined;
  if (value === null) return {};
  if (!isJsonObject(value)) fields.failType('Backend', 'an object like {"Type":"vxlan"}', value);
  return value;
}

function readBackendType(backendRaw: JsonObject | undefined): string {
  if (backendRaw === undefined) return DEFAULT_BACKEND_TYPE;
  return (new JsonFields(backendRaw, 'Backend').string('Type') ?? '').toLowerCase();
}
