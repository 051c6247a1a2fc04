import { errorText, RetryableError } from '@flannel-ts/retry';

/** The EC2 actions flannel uses; each needs the IAM permission `ec2:<action>`. */
export type Ec2Action = 'DescribeInstances' | 'ModifyInstanceAttribute' | 'DescribeRouteTables' | 'CreateRoute' | 'DeleteRoute';

export interface Ec2CallInfo {
  readonly action: Ec2Action;
  /** What it was about, for the error line: `route table rtb-1`, `instance i-0abc`. */
  readonly subject: string;
  /** The route table involved, named by a RouteLimitExceeded error. */
  readonly table?: string;
}

/** AWS's default route quota per table, named in the error when a table is full. */
export const EC2_ROUTES_PER_TABLE = 50;

/** A failure of one EC2 call, retryable, with EC2's error code when the API answered. */
export class Ec2CallError extends RetryableError {
  override readonly name = 'Ec2CallError';
  constructor(
    message: string,
    readonly code: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The EC2 error code of a failed SDK call (`RouteLimitExceeded`), or undefined for a failure below the API (network, timeout). */
export function ec2ErrorCode(error: unknown): string | undefined {
  const e = error as { $metadata?: { httpStatusCode?: number }; name?: string } | undefined;
  return e?.$metadata?.httpStatusCode !== undefined && e.name ? e.name : undefined;
}

/**
 * Turns an SDK failure into a RetryableError with one line naming the action, what it was about and
 * EC2's error code. Everything the cloud or the network does is retryable: throttling, 5xx, a full
 * table, a missing permission or a wrong table id can all be fixed by time or by an operator.
 */
export function ec2Failure(call: Ec2CallInfo, error: unknown): Ec2CallError {
  const code = ec2ErrorCode(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const head = `EC2 ${call.action} on ${call.subject}`;
  let text: string;
  // For these two our line says it all; EC2's own text (a long encoded authorization message) would
  // only bury it, so it is not chained as the cause.
  let rewritten = true;
  if (code === 'UnauthorizedOperation') {
    text = `UnauthorizedOperation: the credentials lack the IAM permission ec2:${call.action}`;
    if (call.action === 'DescribeRouteTables') text += ' (note: the DescribeRouteTables permission cannot be bound to any resource; grant it on "*")';
  } else if (code === 'RouteLimitExceeded') {
    text = `RouteLimitExceeded: route table ${call.table ?? '?'} is full (EC2 allows ${EC2_ROUTES_PER_TABLE} routes per table unless its quota was raised)`;
  } else {
    rewritten = false;
    text = code === undefined ? errorText(error) : `${code} (HTTP ${status}): ${firstLine((error as Error).message)}`;
  }
  return new Ec2CallError(`${head}: ${text}`, code, rewritten ? undefined : { cause: error });
}

/** Runs one SDK call; its failure becomes ec2Failure(call), except the codes in `ignore`, which resolve to undefined. */
export async function ec2Call<T>(call: Ec2CallInfo, send: () => Promise<T>, ignore: readonly string[] = []): Promise<T | undefined> {
  try {
    return await send();
  } catch (error) {
    const code = ec2ErrorCode(error);
    if (code !== undefined && ignore.includes(code)) return undefined;
    throw ec2Failure(call, error);
  }
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}
