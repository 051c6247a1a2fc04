import { RetryableError } from '@flannel-ts/retry';

/** What a failed Compute API call said, from gaxios' error (REST transport) or a connection failure. */
export interface ApiFailure {
  /** HTTP status, when there was an answer. */
  readonly status?: number;
  /** Google's reason (`notFound`, `rateLimitExceeded`, `quotaExceeded`, `forbidden`) or an errno code (`ECONNREFUSED`). */
  readonly reason?: string;
  readonly message: string;
}

export function apiFailure(error: unknown): ApiFailure {
  const e = error as { code?: unknown; status?: unknown; message?: unknown; cause?: { code?: unknown } };
  const raw = typeof e?.message === 'string' ? e.message : String(error);
  const status = typeof e?.status === 'number' ? e.status : typeof e?.code === 'number' ? e.code : undefined;
  // The REST transport puts the API's JSON error body in the message.
  try {
    const body = JSON.parse(raw) as { error?: { code?: number; message?: string; errors?: Array<{ reason?: string }> } };
    if (body.error) {
      const reason = body.error.errors?.[0]?.reason;
      return { status: status ?? body.error.code, ...(reason ? { reason } : {}), message: body.error.message ?? raw };
    }
  } catch {
    // Not a JSON error body: a connection failure or a proxy's page.
  }
  const errno = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
  return { ...(status !== undefined ? { status } : {}), ...(errno ? { reason: errno } : {}), message: raw.split('\n')[0] ?? raw };
}

export const isNotFound = (f: ApiFailure): boolean => f.status === 404;

/**
 * The one line an operator reads for a failed call: what we did, the API's code and reason, its
 * message, and for a quota or a permission what to change. Always a RetryableError: whatever the
 * cloud refused, an operator or time can fix.
 */
export function apiError(doing: string, project: string, error: unknown): RetryableError {
  // No `cause`: the gaxios error's message is the raw JSON body, already read into this line.
  return failureError(doing, project, apiFailure(error));
}

export function failureError(doing: string, project: string, f: ApiFailure): RetryableError {
  const code = [f.status !== undefined ? `HTTP ${f.status}` : undefined, f.reason].filter(Boolean).join(' ');
  const said = `${code ? `${code}: ` : ''}${f.message}`;
  const permission = /Required '([\w.]+)' permission/.exec(f.message)?.[1];
  let hint = '';
  if (isQuota(f)) hint = ` (project ${project} has used its routes quota: raise the ROUTES quota or remove routes)`;
  else if (permission) hint = ` (the instance's service account lacks permission ${permission})`;
  else if (f.reason === 'insufficientPermissions' || /insufficient authentication scopes/i.test(f.message)) hint = ' (the instance needs the compute-rw scope)';
  else if (f.status === 401) hint = ' (no valid credentials: the token comes from the metadata server)';
  return new RetryableError(`${doing}: ${said}${hint}`);
}

function isQuota(f: ApiFailure): boolean {
  return f.reason === 'quotaExceeded' || f.reason === 'QUOTA_EXCEEDED' || /Quota '\w+' exceeded/.test(f.message);
}
