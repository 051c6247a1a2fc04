export interface Iperf3Result {
  /** TCP goodput measured at the receiver (end.sum_received), in bits per second. */
  readonly bitsPerSecond: number;
  /** TCP retransmissions by the sender over the whole test. */
  readonly retransmits: number;
}

interface Iperf3Json {
  readonly error?: string;
  readonly end?: {
    readonly sum_received?: { readonly bits_per_second?: number };
    readonly sum_sent?: { readonly bits_per_second?: number; readonly retransmits?: number };
  };
}

/** Reads `iperf3 -c ... -J` output; throws with iperf3's own error message when the test failed. */
export function parseIperf3Json(stdout: string): Iperf3Result {
  let report: Iperf3Json;
  try {
    report = JSON.parse(stdout) as Iperf3Json;
  } catch {
    throw new Error(`iperf3 printed no JSON report: ${stdout.trim().slice(0, 200) || 'no output'}`);
  }
  if (typeof report.error === 'string') throw new Error(`iperf3: ${report.error}`);
  const bitsPerSecond = report.end?.sum_received?.bits_per_second;
  if (typeof bitsPerSecond !== 'number') throw new Error('iperf3 report has no end.sum_received.bits_per_second');
  return { bitsPerSecond, retransmits: report.end?.sum_sent?.retransmits ?? 0 };
}
