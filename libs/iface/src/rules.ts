import { formatIP4, type IP4 } from '@flannel-ts/ip';
import { primaryAddressOf, sourceAddressFor } from './interface-address.js';
import { findDefaultRoute, findRouteTo } from './route-lookup.js';
import type { SnapshotInterface, SnapshotRoute } from './snapshot.js';

/** An interface a rule chose, with the address that rule implies, if it implies one. */
export interface Choice {
  readonly iface: SnapshotInterface;
  readonly addr?: IP4;
}

/** A choice that can be used: its address is known and its MTU is non-zero. */
export interface UsableChoice {
  readonly iface: SnapshotInterface;
  readonly addr: IP4;
}

/** Either a value or the one-line reason there is none. */
export type Outcome<T> = { readonly ok: T } | { readonly reason: string };

/** `--iface <ip>`: the interface that carries exactly this IPv4 address. */
export function chooseByAddress(interfaces: readonly SnapshotInterface[], ip: IP4): Outcome<Choice> {
  const iface = interfaces.find((candidate) => candidate.addrs.some((addr) => addr.ip === ip));
  return iface ? { ok: { iface, addr: ip } } : { reason: `no interface has IPv4 address ${formatIP4(ip)}` };
}

/** `--iface <name>`. */
export function chooseByName(interfaces: readonly SnapshotInterface[], name: string): Outcome<Choice> {
  const iface = interfaces.find((candidate) => candidate.name === name);
  return iface ? { ok: { iface } } : { reason: `no interface named ${name}` };
}

/**
 * `--iface-regex`: as flannel, first the IPv4 addresses of every interface (the matching address
 * becomes the interface address), then the interface names. `interfaces` must be in index order.
 */
export function chooseByRegex(interfaces: readonly SnapshotInterface[], regex: RegExp): Outcome<Choice> {
  for (const iface of interfaces) {
    const addr = iface.addrs.find((candidate) => regex.test(formatIP4(candidate.ip)));
    if (addr) return { ok: { iface, addr: addr.ip } };
  }
  const iface = interfaces.find((candidate) => regex.test(candidate.name));
  if (iface) return { ok: { iface } };
  const available = interfaces
    .map((candidate) => `${candidate.name}:[${candidate.addrs.map((addr) => formatIP4(addr.ip)).join(' ')}]`)
    .join(', ');
  return { reason: `Could not match pattern ${regex.source} to any of the available network interfaces (${available})` };
}

/**
 * `--iface-can-reach`: the interface of the main-table route the kernel would use for `target`,
 * with the source address the kernel would prefer on it.
 */
export function chooseByRoute(
  interfaces: readonly SnapshotInterface[],
  routes: readonly SnapshotRoute[],
  target: IP4,
): Outcome<Choice> {
  const route = findRouteTo(routes, target);
  if (!route) return { reason: `no route to ${formatIP4(target)}` };
  const iface = interfaces.find((candidate) => candidate.name === route.iface);
  if (!iface) return { reason: `the route to ${formatIP4(target)} uses interface ${route.iface}, which was not found` };
  const addr = sourceAddressFor(iface, route.gateway ?? target);
  return { ok: addr === undefined ? { iface } : { iface, addr } };
}

/** No interface option given: the interface of the default route. */
export function chooseByDefaultRoute(
  interfaces: readonly SnapshotInterface[],
  routes: readonly SnapshotRoute[],
): Outcome<Choice> {
  const route = findDefaultRoute(routes);
  if (!route) return { reason: 'Unable to find default route' };
  const iface = interfaces.find((candidate) => candidate.name === route.iface);
  if (!iface) return { reason: `Found default route but could not determine interface (no interface named ${route.iface})` };
  return { ok: { iface } };
}

/** Fills in the interface address and checks the MTU. */
export function toUsable(choice: Choice): Outcome<UsableChoice> {
  const addr = choice.addr ?? primaryAddressOf(choice.iface);
  if (addr === undefined) return { reason: `failed to find IPv4 address for interface ${choice.iface.name}` };
  if (choice.iface.mtu === 0) return { reason: `failed to determine MTU for ${formatIP4(addr)} interface (${choice.iface.name})` };
  return { ok: { iface: choice.iface, addr } };
}
