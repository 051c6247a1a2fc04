import { forbidden, GoogleApiError, quotaExceeded, rateLimited, serverError } from './google-error.js';

export interface FailureRule {
  /** 429 (rateLimitExceeded), 500 (internalError) or 503 (backendError). */
  readonly status: 429 | 500 | 503;
  /** Compute calls it applies to, e.g. `routes.insert`; every Compute call when absent. */
  readonly calls?: readonly string[];
}

/** What the fake refuses or slows down; the test changes it at any time. */
export class Faults {
  private failures: Array<FailureRule & { left: number }> = [];
  private readonly denied = new Set<string>();
  routeQuota: number | undefined;
  /** 'operation': insert accepted, its operation ends with QUOTA_EXCEEDED (what GCE does); 'http': insert answered 403 quotaExceeded. */
  quotaForm: 'operation' | 'http' = 'operation';
  delayMs = 0;
  /** Polls an operation answers PENDING/RUNNING to before it is DONE (0: DONE at once). */
  operationPolls = 1;
  /** Largest page of a list (the API's own cap is 500). */
  pageSize = 500;

  failNext(count: number, rule: FailureRule): void {
    this.failures.push({ ...rule, left: count });
  }

  deny(permission: string): void {
    this.denied.add(permission);
  }

  allow(permission: string): void {
    this.denied.delete(permission);
  }

  /** The refusal for this call, if any (consumes one injected failure). */
  refusal(call: string, permission: string, resource: string): GoogleApiError | undefined {
    const rule = this.failures.find((r) => r.left > 0 && (!r.calls || r.calls.includes(call)));
    if (rule) {
      rule.left--;
      return rule.status === 429 ? rateLimited() : serverError(rule.status);
    }
    if (this.denied.has(permission)) return forbidden(permission, resource);
    return undefined;
  }

  quotaRefusal(routes: number): GoogleApiError | undefined {
    return this.quotaForm === 'http' && this.routeQuota !== undefined && routes >= this.routeQuota ? quotaExceeded(this.routeQuota) : undefined;
  }
}
