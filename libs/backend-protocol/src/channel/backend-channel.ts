import type { ChildProcess, Serializable } from 'node:child_process';
import { EventEmitter, on } from 'node:events';
import type { JsonObject } from '@flannel-ts/config';
import { Conversation, type ConversationState } from '../conversation.js';
import { encodeSupervisorMessage } from '../encode.js';
import { isJsonObject } from '../message-fields.js';
import type { BackendMessage, BackendMessageType, SupervisorMessage } from '../messages.js';
import { parseBackendMessage } from '../parse-backend-message.js';
import { parseSupervisorMessage } from '../parse-supervisor-message.js';
import { ProtocolError } from '../protocol-error.js';
import { PROTOCOL_VERSION } from '../version.js';

/** What the channel needs of a child process: node:child_process's, or execa's with `ipc: true`. */
export type IpcChild = Pick<ChildProcess, 'send' | 'on' | 'off' | 'connected'>;

export interface BackendChannelEvents {
  /** A valid message, in its turn. */
  message: [message: BackendMessage];
  /** A message that broke the protocol; it has been answered with `protocol-error`. */
  invalid: [error: ProtocolError, raw: unknown];
  /** The IPC channel closed (the backend exited or disconnected); nothing more will come. */
  disconnect: [];
}

export type BackendChannelErrorReason = 'disconnected' | 'fatal-error';

export class BackendChannelError extends Error {
  override readonly name = 'BackendChannelError';

  constructor(
    message: string,
    readonly reason: BackendChannelErrorReason,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The supervisor's end of one backend process's IPC channel. Outgoing messages are validated (shape
 * and order) before they leave; incoming ones are validated too, and a bad one is answered with
 * `protocol-error` and reported as an 'invalid' event, never thrown.
 */
export class BackendChannel extends EventEmitter<BackendChannelEvents> {
  private readonly conversation = new Conversation();
  private open = true;

  constructor(private readonly child: IpcChild) {
    super();
    child.on('message', this.onMessage);
    child.on('disconnect', this.onDisconnect);
    if (!child.connected) queueMicrotask(this.onDisconnect);
  }

  get state(): ConversationState {
    return this.conversation.state;
  }

  get connected(): boolean {
    return this.open && this.child.connected;
  }

  /**
   * Sends one message. Rejects with a ProtocolError when it is malformed or out of turn (nothing is
   * sent then: a bug on our side), with a BackendChannelError when the channel is closed. Lists of
   * leases are checked as they are encoded (their addresses; the rest their types guarantee), not
   * read back: with thousands of peers that costs tens of milliseconds on the way to the kernel,
   * and the backend validates every message it receives anyway.
   */
  async send(msg: SupervisorMessage): Promise<void> {
    const wire = encodeSupervisorMessage(msg);
    const bulk = msg.type === 'peers' || msg.type === 'peer-events';
    this.conversation.supervisorMessage(bulk ? msg : parseSupervisorMessage(JSON.parse(JSON.stringify(wire))));
    await this.write(wire);
  }

  /**
   * Valid incoming messages from now on, ending when the channel closes. Created eagerly: messages
   * arriving before the first `next()` are kept. Aborting `signal` ends it with an AbortError.
   */
  messages(signal?: AbortSignal): AsyncIterableIterator<BackendMessage> {
    if (!this.open) return (async function* () {})();
    const events = on(this, 'message', { close: ['disconnect'], ...(signal === undefined ? {} : { signal }) });
    return (async function* () {
      for await (const [message] of events) yield message as BackendMessage;
    })();
  }

  /**
   * The next message of `type`. Rejects with a BackendChannelError when the channel closes or the
   * backend reports a fatal error first, with the signal's reason when `signal` is aborted.
   */
  waitFor<T extends BackendMessageType>(type: T, signal?: AbortSignal): Promise<Extract<BackendMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      if (!this.open) return reject(new BackendChannelError(`the backend's IPC channel closed before ${type}`, 'disconnected'));
      const cleanup = (): void => {
        this.off('message', onMessage);
        this.off('disconnect', onDisconnect);
        signal?.removeEventListener('abort', onAbort);
      };
      const onMessage = (message: BackendMessage): void => {
        if (message.type === type) {
          cleanup();
          resolve(message as Extract<BackendMessage, { type: T }>);
        } else if (message.type === 'error' && message.fatal) {
          cleanup();
          reject(new BackendChannelError(`the backend failed before ${type}: ${message.message}`, 'fatal-error'));
        }
      };
      const onDisconnect = (): void => {
        cleanup();
        reject(new BackendChannelError(`the backend's IPC channel closed before ${type}`, 'disconnected'));
      };
      const onAbort = (): void => {
        cleanup();
        reject(signal?.reason);
      };
      this.on('message', onMessage);
      this.on('disconnect', onDisconnect);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Stops listening to the child (it keeps running; kill or disconnect it yourself). */
  detach(): void {
    this.child.off('message', this.onMessage);
    this.child.off('disconnect', this.onDisconnect);
  }

  private readonly onMessage = (raw: unknown): void => {
    let message: BackendMessage;
    try {
      message = parseBackendMessage(raw);
      this.conversation.backendMessage(message);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      // Never answer a protocol-error with one: two confused sides would bounce them forever.
      if (!(isJsonObject(raw) && raw.type === 'protocol-error')) {
        this.write({ v: PROTOCOL_VERSION, type: 'protocol-error', message: error.message }).catch(() => {
          // The channel closed meanwhile: the 'disconnect' event tells the rest.
        });
      }
      this.emit('invalid', error, raw);
      return;
    }
    this.emit('message', message);
  };

  private readonly onDisconnect = (): void => {
    if (!this.open) return;
    this.open = false;
    this.detach();
    this.emit('disconnect');
  };

  private write(wire: JsonObject): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.connected) {
        reject(new BackendChannelError(`cannot send ${String(wire.type)}: the backend's IPC channel is closed`, 'disconnected'));
        return;
      }
      this.child.send(wire as Serializable, (error) => {
        if (error) {
          reject(new BackendChannelError(`sending ${String(wire.type)} to the backend: ${error.message}`, 'disconnected', { cause: error }));
        } else {
          resolve();
        }
      });
    });
  }
}
