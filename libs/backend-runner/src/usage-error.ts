/** A problem with how the backend was invoked: exit 2 and print the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
