import { CniCode, CniError } from './cni-error.js';
import { IMPLIED_VERSION } from './cni-version.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json.js';

export const DEFAULT_SUBNET_FILE = '/run/flannel/subnet.env';
export const DEFAULT_DATA_DIR = '/var/lib/cni/flannel';

/** The flannel plugin's network config (stdin), with defaults applied. */
export interface FlannelNetConf {
  /** As given; IMPLIED_VERSION when absent. */
  readonly cniVersion: string;
  /** Whether the config named its cniVersion (only then is it copied into the delegate). */
  readonly cniVersionGiven: boolean;
  readonly name: string | undefined;
  readonly subnetFile: string;
  readonly dataDir: string;
  readonly delegate: JsonObject | undefined;
  readonly ipam: JsonObject | undefined;
  readonly runtimeConfig: JsonObject | undefined;
  /** The runtime's previous result (CHECK). */
  readonly prevResult: JsonValue | undefined;
}

/** Parses the stdin text: JSON syntax errors are code 6, wrong field types code 7. */
export function parseNetConf(text: string): FlannelNetConf {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new CniError(CniCode.decodeFailure, `network config on stdin is not valid JSON: ${(error as Error).message}`);
  }
  if (!isJsonObject(raw)) {
    throw new CniError(CniCode.decodeFailure, `network config on stdin must be a JSON object, got ${describe(raw)}`);
  }
  const cniVersion = optionalString(raw, 'cniVersion');
  return {
    cniVersion: cniVersion ?? IMPLIED_VERSION,
    cniVersionGiven: cniVersion !== undefined,
    name: optionalString(raw, 'name'),
    subnetFile: optionalPath(raw, 'subnetFile') ?? DEFAULT_SUBNET_FILE,
    dataDir: optionalPath(raw, 'dataDir') ?? DEFAULT_DATA_DIR,
    delegate: optionalObject(raw, 'delegate'),
    ipam: optionalObject(raw, 'ipam'),
    runtimeConfig: optionalObject(raw, 'runtimeConfig'),
    prevResult: raw['prevResult'] ?? undefined,
  };
}

/**
 * The cniVersion as far as it can be read from text that may be broken; for error replies, which
 * carry the request's version when there is one.
 */
export function peekCniVersion(text: string): string | undefined {
  try {
    const raw: unknown = JSON.parse(text);
    return isJsonObject(raw) && typeof raw['cniVersion'] === 'string' ? raw['cniVersion'] : undefined;
  } catch {
    return undefined;
  }
}

function optionalString(raw: JsonObject, key: string): string | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidField(key, 'a string', value);
  return value;
}

function optionalPath(raw: JsonObject, key: string): string | undefined {
  const value = optionalString(raw, key);
  if (value === '') throw invalidField(key, 'a non-empty path', value);
  return value;
}

function optionalObject(raw: JsonObject, key: string): JsonObject | undefined {
  const value = raw[key];
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw invalidField(key, 'an object', value);
  return value;
}

function invalidField(key: string, expected: string, value: unknown): CniError {
  return new CniError(CniCode.invalidNetworkConfig, `network config field "${key}" must be ${expected}, got ${describe(value)}`);
}

export function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
