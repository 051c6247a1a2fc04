export type FlagErrorReason = 'undefined-flag' | 'bad-syntax' | 'missing-value' | 'invalid-value';

/** A command-line or environment problem, worded like Go's flag package, naming the culprit. */
export class FlagError extends Error {
  override readonly name = 'FlagError';

  constructor(
    message: string,
    readonly reason: FlagErrorReason,
    /** The flag concerned (without dashes), or the raw argument for bad syntax. */
    readonly flag: string,
    /** The environment variable, when the value came from there. */
    readonly variable?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The detail of an error thrown by a flag's `apply`, for the one-line message. */
export function describeCause(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
