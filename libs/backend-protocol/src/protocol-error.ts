/**
 * Why a message was refused: its shape (`malformed`), its `v` (`version`), its `type`
 * (`unknown-type`) or its place in the conversation (`order`).
 */
export type ProtocolErrorKind = 'malformed' | 'version' | 'unknown-type' | 'order';

/** A message that breaks the protocol. The message is one line naming the culprit. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';

  constructor(
    message: string,
    readonly kind: ProtocolErrorKind,
    /** The offending message's `type`, when it had a readable one. */
    readonly messageType?: string,
  ) {
    super(message);
  }
}
