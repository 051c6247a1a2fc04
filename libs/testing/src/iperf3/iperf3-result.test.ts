import { describe, expect, it } from 'vitest';
import { parseIperf3Json } from './iperf3-result.js';

describe('parseIperf3Json', () => {
  it('takes the receiver rate and the sender retransmits', () => {
    const report = {
      start: {},
      end: {
        sum_sent: { bits_per_second: 27_666_857_605.05, retransmits: 12, sender: true },
        sum_received: { bits_per_second: 27_568_423_651.77, sender: true },
      },
    };
    expect(parseIperf3Json(JSON.stringify(report))).toEqual({ bitsPerSecond: 27_568_423_651.77, retransmits: 12 });
  });

  it("reports iperf3's own error and output that is no report", () => {
    const failed = { start: { connected: [] }, intervals: [], end: {}, error: 'unable to connect to server: Connection refused' };
    expect(() => parseIperf3Json(JSON.stringify(failed))).toThrow('iperf3: unable to connect to server: Connection refused');
    expect(() => parseIperf3Json('iperf3: error - the server is busy')).toThrow('iperf3 printed no JSON report: iperf3: error');
    expect(() => parseIperf3Json('{"end":{}}')).toThrow('no end.sum_received.bits_per_second');
  });
});
