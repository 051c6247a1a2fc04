/** One entry of a Compute API error's `errors` list. */
export interface GoogleErrorItem {
  readonly reason: string;
  readonly message: string;
  readonly domain?: string;
}

/** An error as Google's JSON APIs send it: an HTTP status and `{error:{code,message,errors:[...]}}`. */
export class GoogleApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }

  body(): string {
    const item: GoogleErrorItem = { domain: 'global', reason: this.reason, message: this.message };
    return JSON.stringify({ error: { code: this.status, message: this.message, errors: [item] } });
  }
}

export const notFound = (resource: string) => new GoogleApiError(404, `The resource '${resource}' was not found`, 'notFound');
export const alreadyExists = (resource: string) => new GoogleApiError(409, `The resource '${resource}' already exists`, 'alreadyExists');
export const badRequest = (message: string) => new GoogleApiError(400, message, 'invalid');
export const forbidden = (permission: string, resource: string) =>
  new GoogleApiError(403, `Required '${permission}' permission for '${resource}'`, 'forbidden');
export const unauthorized = () =>
  new GoogleApiError(401, 'Request is missing required authentication credential. Expected OAuth 2 access token.', 'required');
export const rateLimited = () => new GoogleApiError(429, 'Rate Limit Exceeded', 'rateLimitExceeded');
export const serverError = (status: number) =>
  status === 503 ? new GoogleApiError(503, 'The service is currently unavailable.', 'backendError') : new GoogleApiError(status, 'Internal error. Please try again or contact Google Support.', 'internalError');
export const quotaExceeded = (limit: number) =>
  new GoogleApiError(403, `Quota 'ROUTES' exceeded.  Limit: ${limit}.0 globally.`, 'quotaExceeded');
