/** What a ping run saw. */
export interface PingStats {
  /** Echo requests sent, not counting a last one still in flight when ping was stopped. */
  readonly transmitted: number;
  /** Distinct requests answered (duplicates not counted). */
  readonly received: number;
  /** 100 * (transmitted - received) / transmitted; 100 when nothing was sent. */
  readonly lossPercent: number;
  /** ICMP errors ping reported (e.g. "Destination Net Unreachable"). */
  readonly errors: number;
  /**
   * The longest silence, in ms: between consecutive replies, and from the last reply to the stop
   * (from start to stop when no reply came), so an outage that never ends still shows.
   */
  readonly maxGapMs: number;
  /** Mean round-trip time of the replies; undefined without replies. */
  readonly rttAvgMs: number | undefined;
}

export interface PingTiming {
  /** Wall-clock ms (Date.now()) when ping was started and when it was told to stop. */
  readonly startedAtMs: number;
  readonly stoppedAtMs: number;
}

const SUMMARY = /^(\d+) packets transmitted, (\d+) received\b(.*)$/m;
const ERRORS = /\+(\d+) errors/;
// "[1795443142.149629] 64 bytes from 10.244.2.2: icmp_seq=1 ttl=62 time=0.234 ms" (ping -D)
const REPLY = /^\[(\d+(?:\.\d+)?)\] \d+ bytes from [^:]+: icmp_seq=(\d+) .*?time=([\d.]+) ms(.*)$/;
const SEQ_MODULO = 65_536;

/**
 * Reads the output of `ping -D` that was stopped by SIGINT. Undefined when ping printed no summary
 * (it died on its own, or was killed).
 */
export function parsePingOutput(output: string, { startedAtMs, stoppedAtMs }: PingTiming): PingStats | undefined {
  const summary = SUMMARY.exec(output);
  if (summary === null) return undefined;
  const replies = output
    .split('\n')
    .map((line) => REPLY.exec(line))
    .filter((match): match is RegExpExecArray => match !== null && !match[4]!.includes('DUP!'))
    .map((match) => ({ atMs: Number(match[1]) * 1000, seq: Number(match[2]), rttMs: Number(match[3]) }));

  let transmitted = Number(summary[1]);
  const received = Number(summary[2]);
  const lastSeq = transmitted % SEQ_MODULO;
  if (transmitted > received && !replies.some((reply) => reply.seq === lastSeq)) transmitted -= 1;

  let maxGapMs = replies.length === 0 ? stoppedAtMs - startedAtMs : Math.max(0, stoppedAtMs - replies.at(-1)!.atMs);
  for (let i = 1; i < replies.length; i++) maxGapMs = Math.max(maxGapMs, replies[i]!.atMs - replies[i - 1]!.atMs);

  return {
    transmitted,
    received,
    lossPercent: transmitted === 0 ? 100 : (100 * (transmitted - received)) / transmitted,
    errors: Number(ERRORS.exec(summary[3]!)?.[1] ?? 0),
    maxGapMs,
    rttAvgMs: replies.length === 0 ? undefined : replies.reduce((sum, reply) => sum + reply.rttMs, 0) / replies.length,
  };
}
