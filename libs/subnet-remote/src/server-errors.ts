import { RetryableError } from '@flannel-ts/retry';

/** The server could not be reached, or the connection broke before it answered. */
export class ServerUnreachableError extends RetryableError {
  override readonly name = 'ServerUnreachableError';
}

/** The server answered with a status other than 200: `<status line>: <body>`, as flannel's client says. */
export class ServerStatusError extends RetryableError {
  override readonly name = 'ServerStatusError';
  constructor(
    readonly url: string,
    readonly status: number,
    statusText: string,
    readonly body: string,
  ) {
    super(`${url}: ${status} ${statusText}${body.trim() ? `: ${firstLine(body)}` : ''}`);
  }
}

/** The server answered 200 with something that is not what the API promises. */
export class BadReplyError extends RetryableError {
  override readonly name = 'BadReplyError';
  constructor(url: string, problem: string, options?: ErrorOptions) {
    super(`bad reply from ${url}: ${problem}`, options);
  }
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0]!;
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
