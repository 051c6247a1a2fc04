/** The protocol version this code speaks; every message carries it as `v`. */
export const PROTOCOL_VERSION = 1;
