import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/** A Prometheus text exposition read by a real parser, for tests to look values up in. */
export interface MetricsText {
  /** The family's type (COUNTER, GAUGE, HISTOGRAM...), undefined when absent. */
  typeOf(name: string): string | undefined;
  /** The value of the sample of `name` whose labels include `labels`; undefined when there is none. */
  value(name: string, labels?: Readonly<Record<string, string>>): number | undefined;
  /** A histogram's sample count (its series matching `labels` added up). */
  count(name: string, labels?: Readonly<Record<string, string>>): number | undefined;
}

export function parseMetricsText(text: string): MetricsText {
  const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  const matching = (name: string, labels: Readonly<Record<string, string>>) =>
    (families.get(name)?.metrics ?? []).filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return {
    typeOf: (name) => families.get(name)?.type,
    value: (name, labels = {}) => {
      const m = matching(name, labels)[0];
      return m?.value === undefined ? undefined : Number(m.value);
    },
    // The parser merges a labelled histogram's series into one: its `_count` samples are read from the lines.
    count: (name, labels = {}) => {
      const counts = text
        .split('\n')
        .filter((line) => line.startsWith(`${name}_count`))
        .map((line) => /^\S+?(?:\{(.*)\})? (\S+)$/.exec(line))
        .filter((m) => m && Object.entries(labels).every(([k, v]) => (m[1] ?? '').split(',').includes(`${k}="${v}"`)));
      return counts.length === 0 ? undefined : counts.reduce((sum, m) => sum + Number(m![2]), 0);
    },
  };
}
