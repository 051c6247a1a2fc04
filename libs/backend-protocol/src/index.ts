export { PROTOCOL_VERSION } from './version.js';
export { ProtocolError, type ProtocolErrorKind } from './protocol-error.js';
export type { Lease, PeerEvent } from './lease.js';
export * from './messages.js';
export { parseSupervisorMessage } from './parse-supervisor-message.js';
export { parseBackendMessage } from './parse-backend-message.js';
export { encodeBackendMessage, encodeLease, encodeSupervisorMessage } from './encode.js';
export { Conversation, type ConversationState } from './conversation.js';
export { protocolLease, type RegistryLeaseLike } from './registry-lease.js';
export type { Backend, BackendContext, CreateBackend } from './backend.js';
export { SUPERVISOR_PID_ENV } from './supervisor-env.js';
export { isJsonObject } from './message-fields.js';
export {
  BackendChannel,
  BackendChannelError,
  type BackendChannelErrorReason,
  type BackendChannelEvents,
  type IpcChild,
} from './channel/backend-channel.js';
