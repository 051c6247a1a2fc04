import type { Logger } from 'pino';

/**
 * grpc-js hands Node an IP address as the TLS server name when an etcd endpoint is an address (the
 * usual case); Node then warns once, on stderr, that RFC 6066 forbids it. Nothing is wrong for us:
 * the certificate is still checked against the address.
 */
const HARMLESS = new Set(['DEP0123']);

/**
 * Sends Node's process warnings through `log` instead of Node's own plain-text lines on stderr, so a
 * daemon's output stays one JSON line per event; harmless ones at debug level.
 */
export function logProcessWarnings(log: Logger): void {
  // Removing every listener also removes Node's default printer (it is one of them).
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) => {
    const line = `${warning.name}${warning.code ? ` ${warning.code}` : ''}: ${warning.message}`;
    if (warning.code !== undefined && HARMLESS.has(warning.code)) log.debug(line);
    else log.warn(line);
  });
}
