export type { Logger } from 'pino';
export { logInBurst } from './line-burst.js';
export { createLogger, type CreateLoggerOptions, type LogFormat } from './create-logger.js';
export { levelForVerbosity, type LogLevel } from './levels.js';
export { REDACTED_PATHS } from './redact.js';
export { formatTextLine, textStream } from './text-format.js';
export { logProcessWarnings } from './process-warnings.js';
export { defaultLogFormat, LOG_FORMAT_ENV, LOG_FORMATS, logFormatFromEnv, parseLogFormat } from './log-format.js';
