import type { LogFormat } from './create-logger.js';

export const LOG_FORMATS: readonly LogFormat[] = ['json', 'text'];

/**
 * The variable through which flanneld hands its log format to the backends it forks, so their lines
 * (on the stderr they inherit) read like its own. A backend run by hand honours it too.
 */
export const LOG_FORMAT_ENV = 'FLANNEL_LOG_FORMAT';

/** `json` or `text`; anything else throws, listing the choices. */
export function parseLogFormat(text: string): LogFormat {
  const format = LOG_FORMATS.find((name) => name === text);
  if (format === undefined) throw new Error(`want one of ${LOG_FORMATS.join(', ')}`);
  return format;
}

/** What a process logs in when not told: text on a terminal, JSON lines otherwise. */
export function defaultLogFormat(stderr: { readonly isTTY?: boolean } = process.stderr): LogFormat {
  return stderr.isTTY ? 'text' : 'json';
}

/** The format named by FLANNEL_LOG_FORMAT, or undefined when it is unset, empty or not a format. */
export function logFormatFromEnv(env: NodeJS.ProcessEnv): LogFormat | undefined {
  return LOG_FORMATS.find((name) => name === env[LOG_FORMAT_ENV]);
}
