import { Ec2Error } from './ec2-error.js';

/** Which calls a fault hits: all, or only these actions. */
export interface FaultScope {
  readonly actions?: readonly string[];
}

interface CountedFault {
  left: number;
  readonly scope: FaultScope;
  readonly error: () => Ec2Error;
}

const throttled = () => new Ec2Error('RequestLimitExceeded', 'Request limit exceeded.');
const internal = () => new Ec2Error('InternalError', 'An internal error has occurred');
const unavailable = () => new Ec2Error('Unavailable', 'The service is unavailable. Please try again shortly.');

const hits = (scope: FaultScope, action: string) => !scope.actions || scope.actions.includes(action);

/** What the fake does wrong, set by a test: throttling, server errors, slowness, missing IAM permissions. */
export class Ec2Faults {
  private counted: CountedFault[] = [];
  private throttleUntil = 0;
  private throttleScope: FaultScope = {};
  private readonly denied = new Set<string>();
  private delayMs = 0;

  /** The next `calls` calls (in scope) get RequestLimitExceeded (HTTP 503). */
  throttleNext(calls: number, scope: FaultScope = {}): void {
    this.counted.push({ left: calls, scope, error: throttled });
  }

  /** Every call (in scope) during the next `ms` gets RequestLimitExceeded. */
  throttleFor(ms: number, scope: FaultScope = {}): void {
    this.throttleUntil = Date.now() + ms;
    this.throttleScope = scope;
  }

  /** The next `calls` calls (in scope) fail with HTTP 500 InternalError, or 503 Unavailable. */
  serverErrorNext(calls: number, o: FaultScope & { status?: 500 | 503 } = {}): void {
    this.counted.push({ left: calls, scope: o, error: o.status === 503 ? unavailable : internal });
  }

  /** Every answer waits `ms` first (0: none). */
  slow(ms: number): void {
    this.delayMs = ms;
  }

  /** The credentials lack the IAM permission for these actions: UnauthorizedOperation (HTTP 403). */
  deny(...actions: string[]): void {
    actions.forEach((a) => this.denied.add(a));
  }

  allow(...actions: string[]): void {
    actions.forEach((a) => this.denied.delete(a));
  }

  /** Drops every fault. */
  clear(): void {
    this.counted = [];
    this.throttleUntil = 0;
    this.denied.clear();
    this.delayMs = 0;
  }

  get delay(): number {
    return this.delayMs;
  }

  /** The error this call gets, if any (consuming one of a counted fault). */
  errorFor(action: string): Ec2Error | undefined {
    if (Date.now() < this.throttleUntil && hits(this.throttleScope, action)) return throttled();
    const fault = this.counted.find((f) => f.left > 0 && hits(f.scope, action));
    if (fault) {
      fault.left--;
      return fault.error();
    }
    if (this.denied.has(action)) {
      return new Ec2Error(
        'UnauthorizedOperation',
        `You are not authorized to perform this operation. User: arn:aws:sts::111122223333:assumed-role/node/i-1 is not authorized to perform: ec2:${action} because no identity-based policy allows the ec2:${action} action. Encoded authorization failure message: AbCdEf0123456789`,
      );
    }
    return undefined;
  }
}
