import { describeValue, isJsonObject, MessageFields } from './message-fields.js';
import { ProtocolError } from './protocol-error.js';
import { PROTOCOL_VERSION } from './version.js';

export interface Direction<T extends string> {
  /** Who sends these messages, for error text. */
  readonly sender: 'supervisor' | 'backend';
  readonly types: readonly T[];
  /** The types the other side sends, to tell "wrong direction" from "unknown". */
  readonly otherTypes: readonly string[];
}

/** Checks what every message has (an object with `v` and `type`) and returns its type and fields. */
export function readEnvelope<T extends string>(raw: unknown, direction: Direction<T>): { type: T; fields: MessageFields } {
  if (!isJsonObject(raw)) throw new ProtocolError(`message is not a JSON object (got ${describeValue(raw)})`, 'malformed');
  const typeName = typeof raw.type === 'string' ? raw.type : undefined;
  if (raw.v === undefined) {
    const which = typeName === undefined ? 'message' : `message "${typeName}"`;
    throw new ProtocolError(`${which} has no protocol version "v" (this side speaks ${PROTOCOL_VERSION})`, 'version', typeName);
  }
  if (raw.v !== PROTOCOL_VERSION) {
    const got = describeValue(raw.v);
    throw new ProtocolError(`unsupported protocol version ${got} (this side speaks ${PROTOCOL_VERSION})`, 'version', typeName);
  }
  if (typeName === undefined) {
    const detail = raw.type === undefined ? 'message has no "type"' : `message type must be a string, got ${describeValue(raw.type)}`;
    throw new ProtocolError(detail, 'malformed');
  }
  if (!(direction.types as readonly string[]).includes(typeName)) {
    const detail = direction.otherTypes.includes(typeName)
      ? `message type "${typeName}" is not one the ${direction.sender} sends`
      : `unknown message type "${typeName}"`;
    throw new ProtocolError(detail, 'unknown-type', typeName);
  }
  return { type: typeName as T, fields: new MessageFields(typeName, raw) };
}
