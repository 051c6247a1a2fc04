/** HTTP status EC2 answers an error code with (400 for the rest). */
const STATUS: Readonly<Record<string, number>> = {
  UnauthorizedOperation: 403,
  AuthFailure: 401,
  RequestLimitExceeded: 503,
  Unavailable: 503,
  InternalError: 500,
};

/** An error the fake answers with EC2's XML envelope. */
export class Ec2Error extends Error {
  readonly status: number;
  constructor(
    readonly code: string,
    message: string,
    status?: number,
  ) {
    super(message);
    this.status = status ?? STATUS[code] ?? 400;
  }
}
