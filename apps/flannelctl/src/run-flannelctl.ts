import { ExitError } from '@flannel-ts/cli';
import { errorText } from '@flannel-ts/retry';
import { commandName } from './commands.js';
import { configCheck, configGet, configSet } from './config-commands.js';
import { free } from './free-command.js';
import type { CommandIo } from './io.js';
import { leases, reserve, unreserve } from './lease-commands.js';
import { parseFlannelctlArgs, type FlannelctlOptions } from './parse-args.js';
import { status } from './status-command.js';

type Run = (o: FlannelctlOptions, args: readonly string[], io: CommandIo) => Promise<number>;

const RUN: Readonly<Record<string, Run>> = {
  'config get': (o, _args, io) => configGet(o, io),
  'config check': configCheck,
  'config set': configSet,
  leases: (o, _args, io) => leases(o, io),
  free: (o, _args, io) => free(o, io),
  reserve,
  unreserve,
  status: (o, _args, io) => status(o, io),
};

/**
 * flannelctl from arguments to exit status: 0 ok, 1 failure (etcd or the daemon unreachable, not
 * found, refused), 2 usage, 3 config problems. Every failure is one line on stderr.
 */
export async function runFlannelctl(argv: readonly string[], env: NodeJS.ProcessEnv, io: CommandIo): Promise<number> {
  const parsed = parseFlannelctlArgs(argv, env);
  if (parsed.kind === 'exit') {
    if (parsed.stdout) io.stdout.write(parsed.stdout);
    if (parsed.stderr) io.stderr.write(parsed.stderr);
    return parsed.code;
  }
  const run = RUN[commandName(parsed.command)]!;
  try {
    return await run(parsed.options, parsed.args, io);
  } catch (err) {
    if (err instanceof ExitError) {
      io.stderr.write(`flannelctl: ${err.message}\n`);
      return err.exitCode;
    }
    // Anything else is a bug: its stack says where.
    io.stderr.write(`flannelctl: ${commandName(parsed.command)} failed: ${errorText(err)}\n${(err as Error)?.stack ?? ''}\n`);
    return 1;
  }
}
