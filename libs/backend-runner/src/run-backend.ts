import { createLogger, levelForVerbosity, logFormatFromEnv, type Logger } from '@flannel-ts/log';
import type { CreateBackend, InitInfo, ProposeMessage } from '@flannel-ts/backend-protocol';
import { backendUsage, parseBackendArgs, type BackendFlags, type BackendFlagTable } from './backend-flags.js';
import type { FlagSources } from '@flannel-ts/go-flags';
import { openIpcLink, openStdoutLink } from './links.js';
import { guardParent } from './parent-guard.js';
import { BackendSession } from './session.js';
import { driveStandalone } from './standalone-driver.js';
import { planStandalone } from './standalone-plan.js';
import { UsageError } from './usage-error.js';

/** How long the last messages (a fatal `error`, say) get to leave before the process exits. */
const FLUSH_MS = 1_000;

/**
 * The whole `main.ts` of a backend binary: `runBackend('host-gw', createHostGwBackend)` (no top-level
 * await, so a backend may be bundled as CommonJS). Exits the process: 0 after shutdown, IPC
 * disconnect or SIGTERM/SIGINT; 1 after a fatal error; 2 for a usage error.
 */
export function runBackend(name: string, create: CreateBackend): void {
  runBackendMain(name, create, process).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`${programOf(name)}:`, error);
      process.exit(1);
    },
  );
}

/** The binary drops the dash of the type: host-gw → flannel-backend-hostgw (the names flanneld looks for). */
function programOf(name: string): string {
  return `flannel-backend-${name.replaceAll('-', '')}`;
}

/**
 * runBackend without the exit: returns the exit code. Under flanneld (an IPC channel is present) it
 * serves the channel; otherwise it runs standalone from flags and/or NDJSON on stdin.
 */
export async function runBackendMain(name: string, create: CreateBackend, proc: NodeJS.Process): Promise<number> {
  const program = programOf(name);
  const childMode = typeof proc.send === 'function';
  const args = parseBackendArgs(name, program, proc.argv.slice(2), childMode);
  if (args.kind === 'exit') {
    if (args.stdout !== undefined) proc.stdout.write(args.stdout);
    if (args.stderr !== undefined) proc.stderr.write(args.stderr);
    return args.code;
  }

  const format = logFormatFromEnv(proc.env);
  const log = createLogger({ name: program, verbosity: args.flags.verbosity, ...(format !== undefined && { format }) });
  const controller = new AbortController();
  const unhookSignals = stopOnSignals(proc, controller, log);
  // A standalone backend may have nothing else keeping the event loop alive until it is stopped.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const context: RunContext = { name, program, create, log, controller, proc, flags: args.flags };
  try {
    const code = childMode ? await serveSupervisor(context) : await runStandalone(context, args.sources);
    if (code === 0) log.info('Exiting cleanly');
    return code;
  } finally {
    clearInterval(keepAlive);
    unhookSignals();
  }
}

interface RunContext {
  readonly name: string;
  readonly program: string;
  readonly create: CreateBackend;
  readonly log: Logger;
  readonly controller: AbortController;
  readonly proc: NodeJS.Process;
  readonly flags: BackendFlags;
}

async function serveSupervisor(ctx: RunContext): Promise<number> {
  const { log, controller, proc } = ctx;
  let problem: string | undefined;
  try {
    problem = guardParent(proc.env);
  } catch (error) {
    problem = `cannot ask for a parent-death signal: ${describe(error)}`;
  }
  if (problem !== undefined) {
    log.fatal(problem);
    return 1;
  }

  const session = new BackendSession({
    create: ctx.create,
    log,
    controller,
    // The session sends only in answer to messages, which arrive once `ipc` exists.
    send: (msg) => ipc.send(msg),
    onInit: raiseLogLevel(log, ctx.flags),
  });
  const ipc = openIpcLink(
    proc,
    {
      message: (raw) => session.receive(raw),
      disconnect: () => {
        if (!controller.signal.aborted) log.info('The IPC channel to the supervisor closed, stopping');
        controller.abort(new Error('IPC channel closed'));
      },
    },
    log,
  );
  log.info(`Backend ${ctx.name} started (pid ${proc.pid}, supervisor pid ${proc.ppid}), waiting for init`);
  try {
    await aborted(controller.signal);
    const code = await session.finish();
    await ipc.flush(FLUSH_MS);
    return code;
  } finally {
    ipc.close();
  }
}

async function runStandalone(ctx: RunContext, sources: FlagSources<BackendFlagTable>): Promise<number> {
  const { log, controller, proc } = ctx;
  let plan;
  try {
    plan = await planStandalone(ctx.flags, sources, { cwd: proc.cwd() });
  } catch (error) {
    if (error instanceof UsageError) {
      proc.stderr.write(`${error.message}\n${backendUsage(ctx.name, ctx.program)}`);
      return 2;
    }
    log.fatal(describe(error));
    return 1;
  }
  plan.logLines.forEach((line) => log.info(line));

  let proposal: ProposeMessage | undefined;
  const link = openStdoutLink(proc.stdout, (msg) => {
    if (msg.type === 'propose') proposal = msg;
  });
  proc.stdout.on('error', (error) => {
    log.error(`stdout: ${error.message}`);
    controller.abort(error);
  });
  const session = new BackendSession({ create: ctx.create, log, controller, send: link.send, onInit: raiseLogLevel(log, ctx.flags) });
  log.info(`Backend ${ctx.name} started standalone (pid ${proc.pid})`);

  let driverFailed = false;
  driveStandalone({ session, plan, stdin: () => proc.stdin, signal: controller.signal, proposal: () => proposal }).catch((error) => {
    driverFailed = true;
    log.fatal(`standalone mode: ${describe(error)}`);
    controller.abort(error);
  });
  await aborted(controller.signal);
  const code = await session.finish();
  await link.flush(FLUSH_MS);
  return driverFailed ? 1 : code;
}

/** The first SIGTERM/SIGINT stops cleanly; a second one gets the default action. */
function stopOnSignals(proc: NodeJS.Process, controller: AbortController, log: Logger): () => void {
  const onSignal = (signal: NodeJS.Signals): void => {
    unhook();
    log.info(`Received ${signal}, stopping`);
    controller.abort(new Error(`received ${signal}`));
  };
  const unhook = (): void => {
    proc.off('SIGTERM', onSignal).off('SIGINT', onSignal);
  };
  proc.on('SIGTERM', onSignal).on('SIGINT', onSignal);
  return unhook;
}

/** flanneld's -v reaches the backend in init; the more verbose of it and our own -v wins. */
function raiseLogLevel(log: Logger, flags: BackendFlags): (init: InitInfo) => void {
  return (init) => {
    log.level = levelForVerbosity(Math.max(flags.verbosity, init.verbosity));
  };
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
