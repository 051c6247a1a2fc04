import { etcdAccess } from '@flannel-ts/cli';
import { applyEnvironment, FlagError, formatFlagDefaults, parseCommandLine, type ParsedFlags } from '@flannel-ts/go-flags';
import type { EtcdConnectOptions } from '@flannel-ts/subnet';
import { ENV_PREFIX, ROUTE_MANAGER_FLAGS, type RouteManagerFlags } from './flag-table.js';
import { VERSION } from './version.js';

export const BACKENDS = ['google', 'aws'] as const;
export type CloudBackend = (typeof BACKENDS)[number];

/** Validated options: command line over FLANNEL_ROUTE_MANAGER_* environment over defaults. */
export interface RouteManagerOptions {
  readonly backend: CloudBackend;
  readonly etcd: EtcdConnectOptions;
  readonly etcdPrefix: string;
  readonly syncIntervalMs: number;
  readonly deleteAllRoutes: boolean;
  /** -backend=aws only; undefined = the table of this instance's subnet. */
  readonly awsRouteTableId?: string;
  readonly verbosity: number;
}

export type ParseOutcome = { kind: 'run'; options: RouteManagerOptions } | { kind: 'exit'; code: number; stderr: string };

const exit = (code: number, stderr: string): ParseOutcome => ({ kind: 'exit', code, stderr });

export function routeManagerUsage(programName: string): string {
  return `Usage: ${programName} [OPTION]...\n${formatFlagDefaults(ROUTE_MANAGER_FLAGS)}`;
}

/** Turns the arguments (after the program name) and environment into options or an exit, printing nothing. */
export function parseRouteManagerArgs(argv: readonly string[], env: NodeJS.ProcessEnv, programName = 'flannel-route-manager'): ParseOutcome {
  let parsed: ParsedFlags<RouteManagerFlags>;
  try {
    parsed = parseCommandLine(ROUTE_MANAGER_FLAGS, argv);
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    return exit(2, `${error.message}\n${routeManagerUsage(programName)}`);
  }
  if (parsed.helpRequested || parsed.values.help) return exit(0, routeManagerUsage(programName));
  if (parsed.positionals.length > 0) return exit(2, `unexpected argument: ${parsed.positionals[0]}\n${routeManagerUsage(programName)}`);
  if (parsed.values.version) return exit(0, `${VERSION}\n`);
  try {
    parsed = applyEnvironment(ROUTE_MANAGER_FLAGS, parsed, env, ENV_PREFIX);
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    return exit(2, `${error.message}\n`);
  }

  const v = parsed.values;
  // The original's fatal error, exit status included.
  if (!(BACKENDS as readonly string[]).includes(v.backend)) return exit(1, `unknown backend ${v.backend} (-backend takes ${BACKENDS.join(' or ')})\n`);
  const backend = v.backend as CloudBackend;
  if (v.awsRouteTable !== '' && backend !== 'aws') return exit(2, `-aws-route-table applies to -backend=aws only (got -backend=${backend})\n`);
  if ((v.etcdCertfile === '') !== (v.etcdKeyfile === '')) return exit(2, '-etcd-certfile and -etcd-keyfile must be given together\n');

  const endpoints = v.etcdEndpoints.length > 0 ? v.etcdEndpoints : [v.etcdEndpoint];
  return {
    kind: 'run',
    options: {
      backend,
      etcd: etcdAccess(endpoints, v),
      etcdPrefix: v.etcdPrefix,
      syncIntervalMs: v.syncInterval,
      deleteAllRoutes: v.deleteAllRoutes,
      ...(v.awsRouteTable ? { awsRouteTableId: v.awsRouteTable } : {}),
      verbosity: v.verbosity,
    },
  };
}
