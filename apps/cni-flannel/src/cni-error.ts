/** Error codes of the CNI spec; 100 and above are ours. */
export const CniCode = {
  incompatibleVersion: 1,
  invalidEnvironment: 4,
  decodeFailure: 6,
  invalidNetworkConfig: 7,
  tryAgainLater: 11,
  /** The subnet file exists but lacks keys or holds values we cannot parse. */
  invalidSubnetFile: 100,
  /** CHECK for a container this plugin has no stored state for. */
  unknownContainer: 101,
  internal: 999,
} as const;

/** A failure reported to the runtime as the CNI error JSON on stdout. */
export class CniError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly details = '',
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CniError';
  }
}

/** The CNI error object (without cniVersion, which depends on the request). */
export function toCniError(error: unknown): CniError {
  if (error instanceof CniError) return error;
  return new CniError(CniCode.internal, error instanceof Error ? error.message : String(error), '', { cause: error });
}

export function formatCniError(error: CniError, cniVersion: string): string {
  return JSON.stringify({
    cniVersion,
    code: error.code,
    msg: error.message,
    ...(error.details === '' ? {} : { details: error.details }),
  });
}
