import { describe, expect, it } from 'vitest';
import { addSample, emptyHistogram, mergeHistograms, percentileMs } from './latency-histogram.js';

describe('latency histogram', () => {
  it('reports percentiles within 5 % of the exact ones and the exact maximum', () => {
    const h = emptyHistogram();
    for (let ms = 1; ms <= 1000; ms++) addSample(h, ms);
    expect(percentileMs(h, 0.5)! / 500).toBeGreaterThanOrEqual(1);
    expect(percentileMs(h, 0.5)! / 500).toBeLessThanOrEqual(1.05);
    expect(percentileMs(h, 0.99)! / 990).toBeLessThanOrEqual(1.05);
    expect(percentileMs(h, 1)).toBe(1000);
    expect(h.maxMs).toBe(1000);
  });

  it('merges the parts of several workers as one', () => {
    const a = emptyHistogram();
    const b = emptyHistogram();
    for (let i = 0; i < 90; i++) addSample(a, 2);
    for (let i = 0; i < 10; i++) addSample(b, 300);
    const all = mergeHistograms([a, b]);
    expect(all.count).toBe(100);
    expect(percentileMs(all, 0.5)).toBeCloseTo(2, 0);
    expect(percentileMs(all, 0.95)).toBeGreaterThan(280);
    expect(all.maxMs).toBe(300);
  });

  it('has no percentile without samples', () => {
    expect(percentileMs(emptyHistogram(), 0.5)).toBeUndefined();
  });
});
