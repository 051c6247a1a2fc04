import { etcdAccess, type EtcdAccess } from '@flannel-ts/cli';
import { applyEnvironment, defaultsOf, FlagError, parseCommandLine, type ParsedFlags } from '@flannel-ts/go-flags';
import { COMMANDS, commandName, type CommandSpec } from './commands.js';
import { ENV_PREFIX, FLANNELCTL_FLAGS, type FlannelctlFlags } from './flag-table.js';
import { commandUsage, generalUsage } from './usage.js';
import { VERSION } from './version.js';

export interface FlannelctlOptions {
  readonly etcd: EtcdAccess;
  /** The key prefix of the network: `--etcd-prefix`, plus `/<name>` with `--network`. */
  readonly prefix: string;
  /** The health endpoint's base URL; undefined when `--healthz-port` is 0. */
  readonly statusUrl: string | undefined;
  readonly json: boolean;
  readonly all: boolean;
}

export type ParseOutcome =
  | { kind: 'run'; command: CommandSpec; args: readonly string[]; options: FlannelctlOptions }
  | { kind: 'exit'; code: number; stdout?: string; stderr?: string };

const usageError = (text: string, command?: CommandSpec): ParseOutcome => ({
  kind: 'exit',
  code: 2,
  stderr: `flannelctl: ${text} (see 'flannelctl ${command ? `${commandName(command)} ` : ''}--help')\n`,
});

/**
 * Turns flannelctl's arguments (after the program name) and environment into a command to run or an
 * exit, printing nothing. Flags may come before, between and after the command words and arguments.
 */
export function parseFlannelctlArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ParseOutcome {
  let parsed: ParsedFlags<FlannelctlFlags>;
  const positionals: string[] = [];
  try {
    parsed = parseInterleaved(argv, positionals);
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    return usageError(error.message, findCommand(positionals).command);
  }
  const { command, rest } = findCommand(parsed.positionals);
  if (parsed.helpRequested) return { kind: 'exit', code: 0, stdout: command ? commandUsage(command) : generalUsage() };
  if (parsed.values.version) return { kind: 'exit', code: 0, stdout: `${VERSION}\n` };
  if (parsed.positionals.length === 0) return usageError('no command given');
  if (command === undefined) return usageError(`unknown command: ${parsed.positionals.slice(0, 2).join(' ')}`);
  if (rest.length < command.minArgs) return usageError(`${commandName(command)} needs ${command.args}`, command);
  if (rest.length > command.maxArgs) return usageError(`${commandName(command)}: unexpected argument ${JSON.stringify(rest[command.maxArgs])}`, command);
  for (const key of ['json', 'all', 'network'] as const) {
    if (parsed.sources[key] === 'cmdline' && !command.flags.includes(key)) {
      return usageError(`${commandName(command)} takes no --${FLANNELCTL_FLAGS[key].name}`, command);
    }
  }

  try {
    parsed = applyEnvironment(FLANNELCTL_FLAGS, parsed, env, ENV_PREFIX);
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    return usageError(error.message, command);
  }
  const v = parsed.values;
  if ((v.etcdCertfile === '') !== (v.etcdKeyfile === '')) return usageError('--etcd-certfile and --etcd-keyfile must be given together', command);
  const base = v.etcdPrefix.length > 1 ? v.etcdPrefix.replace(/\/+$/, '') || '/' : v.etcdPrefix;
  const host = v.healthzIp === '0.0.0.0' ? '127.0.0.1' : v.healthzIp;
  return {
    kind: 'run',
    command,
    args: rest,
    options: {
      etcd: etcdAccess(v.etcdEndpoints, v),
      prefix: v.network === '' ? base : `${base === '/' ? '' : base}/${v.network}`,
      statusUrl: v.healthzPort === 0 ? undefined : `http://${host}:${v.healthzPort}`,
      json: v.json,
      all: v.all,
    },
  };
}

/**
 * Go's flag parsing stops at the first argument that is not a flag; this goes on after each one,
 * collecting those in `positionals` (filled as far as it got when a flag is refused).
 */
function parseInterleaved(argv: readonly string[], positionals: string[]): ParsedFlags<FlannelctlFlags> {
  const { values, sources } = defaultsOf(FLANNELCTL_FLAGS);
  let rest = argv;
  for (;;) {
    const step = parseCommandLine(FLANNELCTL_FLAGS, rest);
    for (const key of Object.keys(FLANNELCTL_FLAGS) as (keyof FlannelctlFlags)[]) {
      if (step.sources[key] === 'cmdline') {
        (values as Record<string, unknown>)[key] = step.values[key];
        sources[key] = 'cmdline';
      }
    }
    if (step.helpRequested) return { values, sources, positionals, helpRequested: true };
    if (step.positionals.length === 0) break;
    // After `--` every argument is positional.
    if (rest[rest.length - step.positionals.length - 1] === '--') {
      positionals.push(...step.positionals);
      break;
    }
    positionals.push(step.positionals[0]!);
    rest = step.positionals.slice(1);
  }
  return { values, sources, positionals, helpRequested: false };
}

function findCommand(positionals: readonly string[]): { command: CommandSpec | undefined; rest: readonly string[] } {
  const command = COMMANDS.find((c) => c.words.every((w, i) => positionals[i] === w));
  return { command, rest: command ? positionals.slice(command.words.length) : [] };
}
