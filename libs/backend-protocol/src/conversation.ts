import type { BackendMessage, SupervisorMessage } from './messages.js';
import { ProtocolError } from './protocol-error.js';

/**
 * Where one supervisor⇄backend conversation stands:
 * awaiting-init → proposing (init seen) → awaiting-lease (propose seen) → configuring (a lease is
 * waiting for its ready) ⇄ running; shut-down once `shutdown` went out.
 */
export type ConversationState = 'awaiting-init' | 'proposing' | 'awaiting-lease' | 'configuring' | 'running' | 'shut-down';

/**
 * The order rules, kept by both sides: each feeds it every message it sends and receives, and
 * gets a ProtocolError (kind "order") for one that comes out of turn. Every rule depends only on
 * messages that causally precede the one checked, so both sides agree whatever the interleaving
 * of the two directions.
 */
export class Conversation {
  private initSeen = false;
  private proposed = false;
  private leases = 0;
  private readies = 0;
  private peersSeen = false;
  private shutDown = false;

  get state(): ConversationState {
    if (this.shutDown) return 'shut-down';
    if (!this.initSeen) return 'awaiting-init';
    if (!this.proposed) return 'proposing';
    if (this.leases === 0) return 'awaiting-lease';
    return this.readies < this.leases ? 'configuring' : 'running';
  }

  /** Checks and records a message the supervisor sent. */
  supervisorMessage(msg: SupervisorMessage): void {
    if (msg.type === 'protocol-error') return;
    if (this.shutDown) this.refuse(msg.type, 'nothing may follow shutdown');
    switch (msg.type) {
      case 'init':
        if (this.initSeen) this.refuse(msg.type, 'init comes once, first');
        this.initSeen = true;
        return;
      case 'lease':
        if (!this.initSeen) this.refuse(msg.type, 'init must come first');
        if (!this.proposed) this.refuse(msg.type, 'the backend has not proposed yet');
        this.leases++;
        return;
      case 'peers':
        if (this.leases === 0) this.refuse(msg.type, 'peers come after the first lease');
        this.peersSeen = true;
        return;
      case 'peer-events':
        if (!this.peersSeen) this.refuse(msg.type, 'a peers snapshot must come first');
        return;
      case 'shutdown':
        this.shutDown = true;
        return;
    }
  }

  /** Checks and records a message the backend sent. */
  backendMessage(msg: BackendMessage): void {
    switch (msg.type) {
      case 'propose':
        if (!this.initSeen) this.refuse(msg.type, 'init must come first');
        if (this.proposed) this.refuse(msg.type, 'propose comes once, after init');
        this.proposed = true;
        return;
      case 'ready':
        if (this.readies >= this.leases) this.refuse(msg.type, 'no lease is waiting for ready');
        this.readies++;
        return;
      case 'status':
      case 'error':
      case 'protocol-error':
        return;
    }
  }

  private refuse(type: string, rule: string): never {
    throw new ProtocolError(`unexpected ${type} in state "${this.state}": ${rule}`, 'order', type);
  }
}
