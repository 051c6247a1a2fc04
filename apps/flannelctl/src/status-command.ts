import { ExitError } from '@flannel-ts/cli';
import { errorText } from '@flannel-ts/retry';
import { statusProblem, type DaemonStatus } from './daemon-status.js';
import { httpGet } from './http-get.js';
import type { CommandIo, ExitCode } from './io.js';
import type { FlannelctlOptions } from './parse-args.js';
import { formatStatus } from './status-view.js';

/** A hang guard for a daemon that accepts the connection and never answers. */
const STATUS_TIMEOUT_MS = 10_000;

/** `status`: the local flanneld's /status, as text or (--json) as served. */
export async function status(o: FlannelctlOptions, io: CommandIo): Promise<ExitCode> {
  if (o.statusUrl === undefined) {
    throw new ExitError("status: flanneld's health endpoint is off here: set --healthz-port (or FLANNELD_HEALTHZ_PORT) to the port flanneld serves it on");
  }
  const url = `${o.statusUrl}/status`;
  let body: string;
  try {
    const res = await httpGet(url, STATUS_TIMEOUT_MS);
    body = res.body;
    if (res.status !== 200) throw new Error(`HTTP ${res.status}${body.trim() ? `: ${body.trim().split('\n')[0]}` : ''}`);
  } catch (err) {
    throw new ExitError(`status: flanneld at ${url} did not answer: ${errorText(err)}`, 1, { cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    throw new ExitError(`status: ${url} did not serve JSON: ${(err as Error).message}`, 1, { cause: err });
  }
  const problem = statusProblem(value);
  if (problem !== undefined) throw new ExitError(`status: ${url} served an unexpected status: ${problem}`);
  io.stdout.write(o.json ? `${JSON.stringify(value, null, 2)}\n` : formatStatus(value as DaemonStatus));
  return 0;
}
