import { createLogger, logProcessWarnings } from '@flannel-ts/log';
import { errorText } from '@flannel-ts/retry';
import { ExitError } from '@flannel-ts/cli';
import { parseRouteManagerArgs } from './options.js';
import { runRouteManager } from './run-route-manager.js';

const parsed = parseRouteManagerArgs(process.argv.slice(2), process.env);
if (parsed.kind === 'exit') {
  process.stderr.write(parsed.stderr);
  process.exit(parsed.code);
}
const log = createLogger({ name: 'flannel-route-manager', verbosity: parsed.options.verbosity });
logProcessWarnings(log);

const stop = new AbortController();
const onSignal = (signal: NodeJS.Signals) => {
  if (stop.signal.aborted) {
    process.removeAllListeners('SIGTERM').removeAllListeners('SIGINT');
    process.kill(process.pid, signal);
    return;
  }
  log.info(`captured ${signal} exiting...`);
  stop.abort();
};
process.on('SIGTERM', onSignal).on('SIGINT', onSignal);

let exitCode = 1;
try {
  exitCode = await runRouteManager(parsed.options, log, stop.signal);
} catch (err) {
  if (stop.signal.aborted && (err as Error)?.name === 'AbortError') exitCode = 0;
  else if (err instanceof ExitError) {
    exitCode = err.exitCode;
    log.fatal(errorText(err));
  } else {
    // The world's failures are retried: anything reaching here is a bug, logged with its stack.
    log.fatal({ err }, `flannel-route-manager failed: ${errorText(err)}`);
  }
}
process.exit(exitCode);
