// Delivery latencies of many watchers in fixed memory: log-spaced buckets (5 % wide) that merge by
// adding, so each worker process sends its buckets and the bench adds them up.

const GROWTH = 1.05;
/** Latencies at or below this (ms) share the first bucket. */
const FLOOR_MS = 0.01;

export interface LatencyHistogram {
  /** Bucket index → count. */
  buckets: Record<number, number>;
  count: number;
  maxMs: number;
}

export function emptyHistogram(): LatencyHistogram {
  return { buckets: {}, count: 0, maxMs: 0 };
}

function bucketOf(ms: number): number {
  return ms <= FLOOR_MS ? 0 : Math.ceil(Math.log(ms / FLOOR_MS) / Math.log(GROWTH));
}

/** The upper edge of a bucket: what a percentile falling in it reports (at most 5 % high). */
function upperEdge(bucket: number): number {
  return FLOOR_MS * GROWTH ** bucket;
}

export function addSample(h: LatencyHistogram, ms: number): void {
  const b = bucketOf(Math.max(0, ms));
  h.buckets[b] = (h.buckets[b] ?? 0) + 1;
  h.count++;
  if (ms > h.maxMs) h.maxMs = ms;
}

export function mergeHistograms(parts: readonly LatencyHistogram[]): LatencyHistogram {
  const out = emptyHistogram();
  for (const p of parts) {
    for (const [b, n] of Object.entries(p.buckets)) out.buckets[Number(b)] = (out.buckets[Number(b)] ?? 0) + n;
    out.count += p.count;
    out.maxMs = Math.max(out.maxMs, p.maxMs);
  }
  return out;
}

/** The `p` quantile (0..1) in ms, never above the largest sample; undefined when empty. */
export function percentileMs(h: LatencyHistogram, p: number): number | undefined {
  if (h.count === 0) return undefined;
  const rank = Math.max(1, Math.ceil(p * h.count));
  let seen = 0;
  for (const b of Object.keys(h.buckets).map(Number).sort((x, y) => x - y)) {
    seen += h.buckets[b]!;
    if (seen >= rank) return Math.min(upperEdge(b), h.maxMs);
  }
  return h.maxMs;
}
