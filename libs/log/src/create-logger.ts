import { pino, type DestinationStream, type Logger } from 'pino';
import { levelForVerbosity } from './levels.js';
import { REDACTED_PATHS } from './redact.js';
import { defaultLogFormat } from './log-format.js';
import { textStream } from './text-format.js';
import { attachBursts, BurstableDestination } from './line-burst.js';

export type LogFormat = 'json' | 'text';

export interface CreateLoggerOptions {
  /** The program, e.g. "flanneld"; a field of every JSON line. */
  readonly name: string;
  /** How many `-v`: 0 → info, 1 → debug, 2+ → trace. */
  readonly verbosity: number;
  /** Where lines go; default stderr. */
  readonly destination?: DestinationStream;
  /** Default: text when logging to stderr and stderr is a terminal, else JSON lines. */
  readonly format?: LogFormat;
}

/**
 * The one root logger of a process. Components log through children: `log.child({ component: 'lease' })`.
 * Call it from main, never at import time.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const level = levelForVerbosity(options.verbosity);
  const format = options.format ?? (options.destination === undefined ? defaultLogFormat() : 'json');
  const destination = new BurstableDestination(options.destination ?? stderrDestination());
  const log = pino({ name: options.name, level, redact: { paths: [...REDACTED_PATHS] } }, format === 'text' ? textStream(destination) : destination);
  attachBursts(log, destination);
  return log;
}

/**
 * Synchronous writes to fd 2. pino's default asynchronous destination buffers lines and flushes
 * later, so a short-lived process (a flag error, `--version`, a backend exiting at once) or one that
 * is crashing can lose its last lines, exactly the ones that explain what happened. At our volume
 * (a few lines per lease event) one write(2) per line costs nothing worth buffering for; the
 * bursts of a join go out a 64 KiB piece per write (logInBurst).
 */
function stderrDestination(): DestinationStream {
  return pino.destination({ fd: 2, sync: true });
}
