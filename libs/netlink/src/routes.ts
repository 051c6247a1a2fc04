import { RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_NOWHERE, RT_SCOPE_UNIVERSE, RT_TABLE_MAIN, RTN_UNICAST, RTPROT_BOOT } from './constants.js';
import { nameOfLink } from './describe.js';
import { withContext } from './errors.js';
import { netlinkNative } from './load-native.js';
import { inPages } from './pages.js';
import type { RawRouteSpec } from './native.js';
import type { RouteInfo, RouteScope, RouteSpec } from './types.js';
import { ipv4, linkIndex, optionalBoolean, prefix, uint } from './validate.js';

const SCOPES: Record<RouteScope, number> = { universe: RT_SCOPE_UNIVERSE, link: RT_SCOPE_LINK, host: RT_SCOPE_HOST };

/** IPv4 routes of one table (default RT_TABLE_MAIN; RT_TABLE_UNSPEC: every table). */
export function listRoutes(options: { table?: number } = {}): RouteInfo[] {
  return [...eachRoute(options)];
}

/**
 * listRoutes read as it is iterated, a page at a time (libs/netlink's pages.ts): for a caller
 * that keeps few of thousands of routes. The dump is taken at the call; a failure throws then.
 */
export function eachRoute(options: { table?: number } = {}): Iterable<RouteInfo> {
  const table = options.table === undefined ? RT_TABLE_MAIN : uint(options.table, 'table', 0xffffffff);
  return inPages(withContext(() => 'listing routes', () => netlinkNative().openRoutes(table)));
}

/** Adds the route; EEXIST when a route to that prefix (same table and metric) exists. */
export function addRoute(spec: RouteSpec): void {
  change('add', spec);
}

/** Adds the route, or replaces the one to the same prefix (same table and metric). */
export function replaceRoute(spec: RouteSpec): void {
  change('replace', spec);
}

/**
 * Deletes the route to spec.dst in its table, and only one matching every field given: gateway,
 * oif, priority, protocol, scope. ESRCH when none matches.
 */
export function deleteRoute(spec: RouteSpec): void {
  change('delete', spec);
}

/** The route the kernel would use to reach `ip` (`ip route get`); ENETUNREACH when there is none. */
export function getRouteTo(ip: string): RouteInfo {
  ipv4(ip, 'destination');
  return withContext(() => `looking up the route to ${ip}`, () => netlinkNative().lookupRoute(ip));
}

function change(op: 'add' | 'replace' | 'delete', spec: RouteSpec): void {
  const raw = toRaw(op, spec);
  const verb = { add: 'adding', replace: 'replacing', delete: 'deleting' }[op];
  withContext(() => `${verb} route ${describe(spec, raw)}`, () => netlinkNative().changeRoute(op, raw));
}

// The defaults are iproute2's: protocol boot and unicast when adding, scope link without a
// gateway; a delete leaves out what was not given, so the kernel matches any value there.
export function toRaw(op: 'add' | 'replace' | 'delete', spec: RouteSpec): RawRouteSpec {
  const dst = prefix(spec.dst, 'route dst');
  const gateway = spec.gateway === undefined ? '' : ipv4(spec.gateway, 'route gateway');
  const oif = spec.oif === undefined ? 0 : linkIndex(spec.oif, 'route oif');
  if (spec.scope !== undefined && !(spec.scope in SCOPES)) {
    throw new TypeError(`netlink: route scope must be 'universe', 'link' or 'host', got ${JSON.stringify(spec.scope)}`);
  }
  const deleting = op === 'delete';
  if (!deleting && gateway === '' && oif === 0) {
    throw new TypeError(`netlink: route ${dst.text} needs a gateway or an oif`);
  }
  return {
    dst: dst.address,
    dstLen: dst.prefixLen,
    gateway,
    oif,
    table: spec.table === undefined ? RT_TABLE_MAIN : uint(spec.table, 'route table', 0xffffffff),
    protocol: spec.protocol === undefined ? (deleting ? 0 : RTPROT_BOOT) : uint(spec.protocol, 'route protocol', 255),
    scope: spec.scope !== undefined ? SCOPES[spec.scope] : deleting ? RT_SCOPE_NOWHERE : gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
    type: deleting ? 0 : RTN_UNICAST,
    priority: spec.priority === undefined ? null : uint(spec.priority, 'route priority', 0xffffffff),
    onlink: optionalBoolean(spec.onlink, 'route onlink', false),
  };
}

/** "10.244.3.0/24 via 192.0.2.12 dev eth0 table 100 metric 5", as `ip route` prints it. */
export function describe(spec: RouteSpec, raw: RawRouteSpec): string {
  let text = spec.dst;
  if (raw.gateway) text += ` via ${raw.gateway}`;
  if (raw.oif) text += ` dev ${nameOfLink(raw.oif)}`;
  if (raw.table !== RT_TABLE_MAIN) text += ` table ${raw.table}`;
  if (raw.priority !== null) text += ` metric ${raw.priority}`;
  if (raw.onlink) text += ' onlink';
  return text;
}
