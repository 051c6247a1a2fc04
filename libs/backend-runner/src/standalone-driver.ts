import type { Readable } from 'node:stream';
import { PROTOCOL_VERSION, encodeSupervisorMessage, type ProposeMessage } from '@flannel-ts/backend-protocol';
import type { BackendSession } from './session.js';
import type { StandalonePlan } from './standalone-plan.js';

const v = PROTOCOL_VERSION;

export interface StandaloneDriverOptions {
  readonly session: BackendSession;
  readonly plan: StandalonePlan;
  /** Only touched with -stdin: merely reading process.stdin opens it. */
  readonly stdin: () => Readable;
  readonly signal: AbortSignal;
  /** The backend's latest `propose`, once it has sent one. */
  readonly proposal: () => ProposeMessage | undefined;
}

/**
 * Plays the supervisor from the plan, then from stdin. Each message waits until the backend has
 * handled the one before, so a script piped in runs as if a patient supervisor sent it.
 */
export async function driveStandalone({ session, plan, stdin, signal, proposal }: StandaloneDriverOptions): Promise<void> {
  const deliver = async (msg: unknown): Promise<void> => {
    session.receive(msg);
    await session.idle();
  };
  if (plan.init !== undefined) await deliver(encodeSupervisorMessage(plan.init));
  const proposed = proposal();
  if (plan.lease !== undefined && proposed !== undefined && !signal.aborted) {
    const { backendType, backendData } = proposed;
    const attrs = { ...(backendType === undefined ? {} : { backendType }), ...(backendData === undefined ? {} : { backendData }) };
    await deliver(encodeSupervisorMessage({ v, type: 'lease', ...plan.lease, ...attrs }));
    // No -peer, no snapshot: an empty one would make the backend remove every peer it knows.
    if (plan.peers.length > 0 && !signal.aborted) {
      const snapshot = plan.peers.map((peer) => ({ ...peer, ...(backendType === undefined ? {} : { backendType }) }));
      await deliver(encodeSupervisorMessage({ v, type: 'peers', snapshot }));
    }
  }
  if (!plan.stdin || signal.aborted) return;

  // Loaded only here: under a supervisor the backend never reads stdin (readline is five modules).
  const { createInterface } = process.getBuiltinModule('node:readline');
  const lines = createInterface({ input: stdin(), crlfDelay: Infinity });
  signal.addEventListener('abort', () => lines.close(), { once: true });
  let number = 0;
  for await (const line of lines) {
    number++;
    if (signal.aborted) break;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      session.refuseUnreadable(`stdin line ${number}: not JSON: ${(error as Error).message}`);
      continue;
    }
    await deliver(value);
  }
}
