import { createLogger, defaultLogFormat, LOG_FORMAT_ENV, logProcessWarnings } from '@flannel-ts/log';
import { errorText } from '@flannel-ts/retry';
import { ExitError } from '@flannel-ts/cli';
import { DaemonHealth } from './daemon-health.js';
import { parseFlanneldArgs, type FlanneldOptions } from './options.js';
import { summarizeOptions } from './options-summary.js';
import { runSupervisor } from './run-supervisor.js';
import { isMultiNetwork, runNetworks } from './run-networks.js';
import { startTimeline } from './start-timeline.js';

startTimeline.mark('bundle');
const parsed = parseFlanneldArgs(process.argv.slice(2), process.env);
if (parsed.kind === 'exit') {
  process.stderr.write(parsed.stderr);
  process.exit(parsed.code);
}
const logFormat = parsed.options.logFormat ?? defaultLogFormat();
// The backends inherit our stderr; this variable (passed to them) makes their lines match ours.
process.env[LOG_FORMAT_ENV] = logFormat;
const log = createLogger({ name: 'flanneld', verbosity: parsed.options.verbosity, format: logFormat });
logProcessWarnings(log);
log.debug({ options: summarizeOptions(parsed.options) }, 'CLI flags config');
startTimeline.mark('options');

// The first SIGTERM/SIGINT stops cleanly; a second one gets the default action (as flannel). Our
// handler stays installed: with none, execa's signal-exit hooks would re-raise the first signal.
const stop = new AbortController();
const onSignal = (signal: NodeJS.Signals) => {
  if (stop.signal.aborted) {
    process.removeAllListeners('SIGTERM').removeAllListeners('SIGINT');
    process.kill(process.pid, signal);
    return;
  }
  log.info(`Received ${signal}, shutting down`);
  stop.abort();
};
process.on('SIGTERM', onSignal).on('SIGINT', onSignal);

// The bundle is CommonJS (run from a V8 code cache): no top-level await.
void run(parsed.options);

/** The daemon in its mode until `stop`; exits the process, with 1 for a bug and ExitError's code. */
async function run(o: FlanneldOptions): Promise<void> {
  let exitCode = 0;
  let health: DaemonHealth | undefined;
  try {
    const mode = o.listen !== undefined ? 'server' : isMultiNetwork(o) ? 'multi' : 'single';
    health = await DaemonHealth.start(o, mode, log);
    // Server mode's HTTP stack is loaded only when asked for.
    if (mode === 'server') await (await import('./run-server.js')).runServer(o, log, stop.signal, health);
    else if (mode === 'multi') await runNetworks(o, log, stop.signal, health);
    else await runSupervisor(o, log, stop.signal, health);
  } catch (err) {
    const cancelled = stop.signal.aborted && (err as Error)?.name === 'AbortError';
    if (err instanceof ExitError) {
      exitCode = err.exitCode;
      log.fatal(errorText(err));
    } else if (!cancelled) {
      // Not the world's doing (that is retried): a bug, logged with its stack.
      exitCode = 1;
      log.fatal({ err }, `flanneld failed: ${errorText(err)}`);
    }
  }
  await health?.close();
  if (exitCode === 0) log.info('Exiting cleanly...');
  process.exit(exitCode);
}
