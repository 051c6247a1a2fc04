import {
  applyEnvironment,
  FlagError,
  formatFlagDefaults,
  parseCommandLine,
  type FlagValues,
  type ParsedFlags,
} from '@flannel-ts/go-flags';
import { ENV_PREFIX, FLANNELD_FLAGS, type FlanneldFlags } from './flag-table.js';
import type { IpMasqBackend } from './flag-table-values.js';
import { findUnsupportedUse, resolveRenewMargin } from './options-checks.js';
import { VERSION } from './version.js';
import type { LogFormat } from '@flannel-ts/log';

export type { IpMasqBackend } from './flag-table-values.js';
export { summarizeOptions } from './options-summary.js';

/** Validated flanneld options (command line over FLANNELD_* environment over defaults). */
export interface FlanneldOptions {
  readonly etcdEndpoints: string[];
  readonly etcdPrefix: string;
  readonly etcdKeyfile: string;
  readonly etcdCertfile: string;
  readonly etcdCafile: string;
  readonly etcdUsername: string;
  readonly etcdPassword: string;
  /** Dotted quad advertised to peers; undefined means "the address of the chosen interface". */
  readonly publicIp?: string;
  /** Interface names or IPv4 addresses, tried in order. */
  readonly ifaces: string[];
  /** Regular expression sources (known to compile), tried after `ifaces`. */
  readonly ifaceRegexes: string[];
  /** Dotted quad whose route picks the interface, tried last. */
  readonly ifaceCanReach?: string;
  readonly subnetFile: string;
  readonly subnetDir: string;
  readonly subnetLeaseTtlMs: number;
  /** Always above 0 and below the TTL. */
  readonly subnetLeaseRenewMarginMs: number;
  readonly ipMasq: boolean;
  readonly ipMasqBackend: IpMasqBackend;
  readonly iptablesResyncMs: number;
  readonly iptablesForwardRules: boolean;
  readonly healthzIp: string;
  /** 0 = no health endpoint. */
  readonly healthzPort: number;
  /** How long etcd may be unreachable before the daemon reports itself not ready. */
  readonly healthzEtcdGraceMs: number;
  readonly stateDir: string;
  readonly backendTimeoutMs: number;
  readonly verbosity: number;
  /** Undefined: text on a terminal, else JSON. */
  readonly logFormat?: LogFormat;
  /** Multi-network mode: the network names allowed (empty with watchNetworks = all). */
  readonly networks: string[];
  /** Multi-network mode: start and stop networks as they appear in and leave the store. */
  readonly watchNetworks: boolean;
  // Parsed for features not built yet (a run with any of them set is refused for now).
  readonly listen?: string;
  readonly remote?: string;
  readonly remoteKeyfile: string;
  readonly remoteCertfile: string;
  readonly remoteCafile: string;
}

export type ParseOutcome =
  | { kind: 'run'; options: FlanneldOptions }
  | { kind: 'exit'; code: number; stderr: string };

const exit = (code: number, stderr: string): ParseOutcome => ({ kind: 'exit', code, stderr });

export function flanneldUsage(programName: string): string {
  return `Usage: ${programName} [OPTION]...\n${formatFlagDefaults(FLANNELD_FLAGS)}`;
}

/**
 * Turns flanneld's arguments (those after the program name) and environment into options or an
 * exit (code + text for stderr), without printing or exiting. Order as in flannel: command line,
 * then --help / positionals / --version, then FLANNELD_* variables, then checks across flags.
 */
export function parseFlanneldArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  programName = 'flanneld',
): ParseOutcome {
  let parsed: ParsedFlags<FlanneldFlags>;
  try {
    parsed = parseCommandLine(FLANNELD_FLAGS, argv);
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    return exit(2, `${error.message}\n${flanneldUsage(programName)}`);
  }
  if (parsed.helpRequested || parsed.values.help || parsed.positionals.length > 0) {
    return exit(0, flanneldUsage(programName));
  }
  if (parsed.values.version) return exit(0, `${VERSION}\n`);

  try {
    parsed = applyEnvironment(FLANNELD_FLAGS, parsed, env, ENV_PREFIX);
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    return exit(2, `${error.message}\n`);
  }

  const unsupported = findUnsupportedUse(parsed.values);
  if (unsupported !== undefined) return exit(1, `${unsupported}\n`);
  const renewMargin = resolveRenewMargin(parsed.values, parsed.sources);
  if ('error' in renewMargin) return exit(1, `${renewMargin.error}\n`);

  return { kind: 'run', options: toOptions(parsed.values, renewMargin.ms) };
}

const optional = (text: string): string | undefined => (text === '' ? undefined : text);

/**
 * `/coreos.com/network/` names the same keys as `/coreos.com/network`, so it must name the same daemon
 * too: its state directory and masq chains are derived from the prefix.
 */
const withoutTrailingSlash = (prefix: string): string => (prefix.length > 1 ? prefix.replace(/\/+$/, '') || '/' : prefix);

function toOptions(v: FlagValues<FlanneldFlags>, renewMarginMs: number): FlanneldOptions {
  return {
    etcdEndpoints: [...v.etcdEndpoints],
    etcdPrefix: withoutTrailingSlash(v.etcdPrefix),
    etcdKeyfile: v.etcdKeyfile,
    etcdCertfile: v.etcdCertfile,
    etcdCafile: v.etcdCafile,
    etcdUsername: v.etcdUsername,
    etcdPassword: v.etcdPassword,
    publicIp: optional(v.publicIp),
    ifaces: [...v.ifaces],
    ifaceRegexes: [...v.ifaceRegexes],
    ifaceCanReach: optional(v.ifaceCanReach),
    subnetFile: v.subnetFile,
    subnetDir: v.subnetDir,
    subnetLeaseTtlMs: v.subnetLeaseTtl,
    subnetLeaseRenewMarginMs: renewMarginMs,
    ipMasq: v.ipMasq,
    ipMasqBackend: v.ipMasqBackend,
    iptablesResyncMs: v.iptablesResync,
    iptablesForwardRules: v.iptablesForwardRules,
    healthzIp: v.healthzIp,
    healthzPort: v.healthzPort,
    healthzEtcdGraceMs: v.healthzEtcdGrace,
    stateDir: v.stateDir,
    backendTimeoutMs: v.backendTimeout,
    verbosity: v.verbosity,
    ...(v.logFormat !== undefined && { logFormat: v.logFormat }),
    listen: optional(v.listen),
    remote: optional(v.remote),
    remoteKeyfile: v.remoteKeyfile,
    remoteCertfile: v.remoteCertfile,
    remoteCafile: v.remoteCafile,
    networks: [...v.networks],
    watchNetworks: v.watchNetworks,
  };
}
