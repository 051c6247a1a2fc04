/** A failure that ends a flannel program with a given exit status and one log line. */
export class ExitError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
