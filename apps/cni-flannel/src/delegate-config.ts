import { formatIP4Net } from '@flannel-ts/ip';
import { CniCode, CniError } from './cni-error.js';
import type { FlannelEnv } from './flannel-env.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json.js';
import { describe, type FlannelNetConf } from './net-conf.js';

export const DEFAULT_DELEGATE_TYPE = 'bridge';
export const DEFAULT_IPAM_TYPE = 'host-local';

/**
 * The network config handed to the delegate plugin on ADD: the config's `delegate` section filled in
 * from the subnet file. Keys the user set win, except `name`, `ipam` (flannel owns both),
 * `cniVersion` and `runtimeConfig` (copied from the outer config when it has them).
 */
export function buildDelegateConfig(conf: FlannelNetConf, env: FlannelEnv): JsonObject {
  assertDelegatable(conf);
  const delegate: JsonObject = { ...conf.delegate };
  delegate['name'] = conf.name as string;
  delegate['type'] ??= DEFAULT_DELEGATE_TYPE;
  if (!Object.hasOwn(delegate, 'ipMasq')) delegate['ipMasq'] = !env.ipMasq;
  if (!Object.hasOwn(delegate, 'mtu')) delegate['mtu'] = env.mtu;
  if (delegate['type'] === 'bridge' && !Object.hasOwn(delegate, 'isGateway')) delegate['isGateway'] = true;
  if (conf.cniVersionGiven) delegate['cniVersion'] = conf.cniVersion;
  if (conf.runtimeConfig !== undefined) delegate['runtimeConfig'] = conf.runtimeConfig;
  delegate['ipam'] = delegateIpam(conf.ipam, env);
  return delegate;
}

/** The checks of ADD that need no subnet file: a broken config fails before anything else. */
export function assertDelegatable(conf: FlannelNetConf): void {
  if (conf.name === undefined || conf.name === '') {
    throw new CniError(CniCode.invalidNetworkConfig, 'network config field "name" is required: the delegate and host-local use it');
  }
  const delegate = conf.delegate ?? {};
  const type = delegate['type'];
  if (type !== undefined && typeof type !== 'string') {
    throw invalidDelegate(`"delegate.type" must be a string, got ${describe(type)}`);
  }
  if (type !== undefined && (type === '' || type === '.' || type === '..' || type.includes('/'))) {
    throw invalidDelegate(`"delegate.type" must be a plugin name, got ${JSON.stringify(type)}`);
  }
  for (const key of ['name', 'ipam']) {
    if (Object.hasOwn(delegate, key)) throw invalidDelegate(`"delegate.${key}" must not be set: flannel sets it`);
  }
  const ipamType = conf.ipam?.['type'];
  if (ipamType !== undefined && (typeof ipamType !== 'string' || ipamType === '')) {
    throw new CniError(CniCode.invalidNetworkConfig, `network config field "ipam.type" must be a plugin name, got ${describe(ipamType)}`);
  }
  givenRoutes(conf.ipam?.['routes']);
}

/** The top-level `ipam` (e.g. host-local's dataDir) with flannel's range and routes. */
function delegateIpam(ipam: JsonObject | undefined, env: FlannelEnv): JsonObject {
  const result: JsonObject = { ...ipam };
  result['type'] ??= DEFAULT_IPAM_TYPE;
  result['ranges'] = [[{ subnet: formatIP4Net(env.subnet) }]];
  result['routes'] = [...givenRoutes(ipam?.['routes']), ...env.networks.map((net) => ({ dst: formatIP4Net(net) }))];
  return result;
}

function givenRoutes(routes: JsonValue | undefined): JsonValue[] {
  if (routes === undefined || routes === null) return [];
  if (!Array.isArray(routes)) throw invalidIpamRoutes(`must be an array, got ${describe(routes)}`);
  routes.forEach((route, i) => {
    if (!isJsonObject(route) || typeof route['dst'] !== 'string') {
      throw invalidIpamRoutes(`entry ${i} must be an object with a string "dst", got ${JSON.stringify(route)}`);
    }
  });
  return routes;
}

function invalidDelegate(problem: string): CniError {
  return new CniError(CniCode.invalidNetworkConfig, `network config: ${problem}`);
}

function invalidIpamRoutes(problem: string): CniError {
  return new CniError(CniCode.invalidNetworkConfig, `network config field "ipam.routes" ${problem}`);
}
