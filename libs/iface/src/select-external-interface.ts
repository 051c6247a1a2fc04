import { formatIP4, tryParseIP4, type IP4 } from '@flannel-ts/ip';
import {
  chooseByAddress,
  chooseByDefaultRoute,
  chooseByName,
  chooseByRegex,
  chooseByRoute,
  toUsable,
  type Choice,
  type Outcome,
  type UsableChoice,
} from './rules.js';
import type { SnapshotInterface, SnapshotRoute, SystemSnapshot } from './snapshot.js';

export interface ExternalInterfaceOptions {
  /** `--iface`: interface names or IPv4 addresses, tried in order. */
  readonly ifaces: readonly string[];
  /** `--iface-regex`: tried in order, after every `--iface` value. */
  readonly ifaceRegexes: readonly string[];
  /** `--iface-can-reach`: tried last. Empty means unset. */
  readonly ifaceCanReach?: string;
  /** `--public-ip`: the address advertised to peers. Empty means unset. */
  readonly publicIp?: string;
}

export interface ExternalInterface {
  readonly name: string;
  readonly index: number;
  readonly mtu: number;
  /** The interface's own address used for flannel traffic. */
  readonly ifaceAddr: IP4;
  /** The address advertised to peers (the lease's PublicIP). */
  readonly extAddr: IP4;
  /** What flanneld logs (info level) about the choice, in flannel's wording. */
  readonly logLines: readonly string[];
}

export const NO_MATCHING_INTERFACE =
  'Failed to find interface to use that matches the interfaces and/or regexes provided';

/** One explicit option value, and how to resolve it. */
interface Candidate {
  /** How error messages name it, e.g. "--iface eth1". */
  readonly label: string;
  /** How flannel's "Could not find valid interface matching ..." line names it. */
  readonly logName: string;
  readonly choose: () => Outcome<Choice>;
}

/**
 * Picks the external interface and addresses as Go flanneld v0.20 does, from a snapshot.
 * Throws an Error with a one-line message when no interface fits or an option value is invalid.
 */
export function selectExternalInterface(
  snapshot: SystemSnapshot,
  opts: ExternalInterfaceOptions,
): ExternalInterface {
  const publicIp = parseOptionalIP4('--public-ip', opts.publicIp);
  const interfaces = [...snapshot.interfaces].sort((a, b) => a.index - b.index);
  const candidates = explicitCandidates(interfaces, snapshot.routes, opts);
  const logLines: string[] = [];
  const chosen = candidates.length > 0
    ? firstUsable(candidates, logLines)
    : chooseWithoutOptions(interfaces, snapshot.routes, publicIp, logLines);

  const ifaceAddr = formatIP4(chosen.addr);
  logLines.push(`Using interface with name ${chosen.iface.name} and address ${ifaceAddr}`);
  logLines.push(publicIp === undefined
    ? `Defaulting external address to interface address (${ifaceAddr})`
    : `Using ${formatIP4(publicIp)} as external address`);
  return {
    name: chosen.iface.name,
    index: chosen.iface.index,
    mtu: chosen.iface.mtu,
    ifaceAddr: chosen.addr,
    extAddr: publicIp ?? chosen.addr,
    logLines,
  };
}

/** Validates every explicit option value up front, so a typo fails loudly instead of being skipped. */
function explicitCandidates(
  interfaces: readonly SnapshotInterface[],
  routes: readonly SnapshotRoute[],
  opts: ExternalInterfaceOptions,
): Candidate[] {
  const byIface = opts.ifaces.map((value): Candidate => {
    if (value === '') throw new Error('invalid --iface "": expected an interface name or IPv4 address');
    const ip = tryParseIP4(value);
    return {
      label: `--iface ${value}`,
      logName: value,
      choose: () => (ip === undefined ? chooseByName(interfaces, value) : chooseByAddress(interfaces, ip)),
    };
  });
  const byRegex = opts.ifaceRegexes.map((pattern): Candidate => {
    const regex = compileRegex(pattern);
    return { label: `--iface-regex ${pattern}`, logName: pattern, choose: () => chooseByRegex(interfaces, regex) };
  });
  const target = parseOptionalIP4('--iface-can-reach', opts.ifaceCanReach);
  const byRoute: Candidate[] = target === undefined ? [] : [{
    label: `--iface-can-reach ${opts.ifaceCanReach}`,
    logName: `ifaceCanReach ${opts.ifaceCanReach}`,
    choose: () => chooseByRoute(interfaces, routes, target),
  }];
  return [...byIface, ...byRegex, ...byRoute];
}

function firstUsable(candidates: readonly Candidate[], logLines: string[]): UsableChoice {
  const failures: string[] = [];
  for (const candidate of candidates) {
    const outcome = resolve(candidate.choose());
    if ('ok' in outcome) return outcome.ok;
    failures.push(`${candidate.label}: ${outcome.reason}`);
    logLines.push(`Could not find valid interface matching ${candidate.logName}: ${outcome.reason}`);
  }
  throw new Error(`${NO_MATCHING_INTERFACE} (${failures.join('; ')})`);
}

/** No --iface/--iface-regex/--iface-can-reach: the interface owning --public-ip, else the default route's. */
function chooseWithoutOptions(
  interfaces: readonly SnapshotInterface[],
  routes: readonly SnapshotRoute[],
  publicIp: IP4 | undefined,
  logLines: string[],
): UsableChoice {
  if (publicIp !== undefined) {
    const owner = resolve(chooseByAddress(interfaces, publicIp));
    if ('ok' in owner) return owner.ok;
    logLines.push(`Failed to find interface to use that matches the public ip ${formatIP4(publicIp)}`);
  }
  const outcome = resolve(chooseByDefaultRoute(interfaces, routes));
  if ('ok' in outcome) return outcome.ok;
  throw new Error(outcome.reason);
}

function resolve(outcome: Outcome<Choice>): Outcome<UsableChoice> {
  return 'ok' in outcome ? toUsable(outcome.ok) : outcome;
}

function compileRegex(pattern: string): RegExp {
  if (pattern === '') throw new Error('invalid --iface-regex "": expected a regular expression');
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw new Error(`invalid --iface-regex ${JSON.stringify(pattern)}: ${(err as Error).message}`, { cause: err });
  }
}

function parseOptionalIP4(flag: string, value: string | undefined): IP4 | undefined {
  if (value === undefined || value === '') return undefined;
  const ip = tryParseIP4(value);
  if (ip === undefined) throw new Error(`invalid ${flag} ${JSON.stringify(value)}: expected an IPv4 address`);
  return ip;
}
