import { sysNative } from './load-native.js';

/**
 * Sends `message` (e.g. "READY=1") to systemd's notification socket as one datagram, from this very
 * process (systemd's default NotifyAccess=main ignores children). `@name` is an abstract socket name.
 * Returns false, doing nothing, when there is no socket (not started by systemd with Type=notify);
 * throws an errno Error naming the socket when the send fails.
 */
export function sdNotify(message: string, socketPath: string | undefined = process.env.NOTIFY_SOCKET): boolean {
  if (!socketPath) return false;
  if (!socketPath.startsWith('/') && !socketPath.startsWith('@')) {
    throw new Error(`notify socket "${socketPath}" must be an absolute path or an @abstract name`);
  }
  sysNative().sdNotify(socketPath, message);
  return true;
}
