import type { Writable } from 'node:stream';
import type { Logger } from '@flannel-ts/log';
import { encodeBackendMessage, type BackendMessage } from '@flannel-ts/backend-protocol';

/** Where a session's messages go. */
export interface OutgoingLink {
  send(msg: BackendMessage): void;
  /** Resolves once everything sent so far is written, or after `timeoutMs`. */
  flush(timeoutMs: number): Promise<void>;
}

export interface IpcHandlers {
  message(raw: unknown): void;
  disconnect(): void;
}

/**
 * The Node IPC channel to the supervisor (fork / execa `ipc: true`, JSON serialization). Every send
 * carries a callback: without one a write to a closed channel is an unhandled 'error' event.
 */
export function openIpcLink(proc: NodeJS.Process, handlers: IpcHandlers, log: Logger): OutgoingLink & { close(): void } {
  let pending = 0;
  let waiters: Array<() => void> = [];
  const settle = (): void => {
    if (pending > 0) return;
    const done = waiters;
    waiters = [];
    done.forEach((resolve) => resolve());
  };
  const onMessage = (raw: unknown): void => handlers.message(raw);
  const onDisconnect = (): void => handlers.disconnect();
  proc.on('message', onMessage);
  proc.once('disconnect', onDisconnect);
  if (!proc.connected) queueMicrotask(onDisconnect);

  return {
    send(msg) {
      if (!proc.connected || proc.send === undefined) {
        log.debug({ message: msg }, 'IPC channel closed: message not sent');
        return;
      }
      pending++;
      proc.send(encodeBackendMessage(msg), undefined, {}, (error: Error | null) => {
        pending--;
        if (error) log.debug(`IPC send failed: ${error.message}`);
        settle();
      });
    },
    flush(timeoutMs) {
      if (pending === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    close() {
      proc.off('message', onMessage);
      proc.off('disconnect', onDisconnect);
    },
  };
}

/** Standalone mode: one JSON line per message on stdout. */
export function openStdoutLink(stdout: Writable, observe: (msg: BackendMessage) => void): OutgoingLink {
  return {
    send(msg) {
      observe(msg);
      stdout.write(`${JSON.stringify(encodeBackendMessage(msg))}\n`);
    },
    flush(timeoutMs) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        stdout.write('', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
