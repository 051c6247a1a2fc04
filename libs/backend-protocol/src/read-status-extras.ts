import { describeValue, type MessageFields } from './message-fields.js';
import type { BackendMetrics, KernelReport, MetricSample } from './messages.js';

export const METRICS_SCHEMA = 1;
export const MAX_METRIC_SAMPLES = 1000;
export const MAX_KERNEL_LIST = 20;

const METRIC_NAME = /^flannel_[a-z0-9_]+$/;
const LABEL_NAME = /^[a-z_][a-z0-9_]*$/;
const MAX_COUNT = Number.MAX_SAFE_INTEGER;

/** `status.metrics`; undefined when absent or of a schema this side does not know (a later build's). */
export function readMetrics(status: MessageFields): BackendMetrics | undefined {
  if (!status.has('metrics')) return undefined;
  const metrics = status.nested('metrics');
  if (metrics.integer('schema', 1, MAX_COUNT) !== METRICS_SCHEMA) return undefined;
  const samples = metrics.eachObject('samples', readSample);
  if (samples.length > MAX_METRIC_SAMPLES) metrics.fail('samples', `at most ${MAX_METRIC_SAMPLES} samples, got ${samples.length}`);
  return { schema: METRICS_SCHEMA, samples };
}

function readSample(sample: MessageFields): MetricSample {
  const name = sample.string('name');
  if (!METRIC_NAME.test(name)) sample.fail('name', `${describeValue(name)} is not a flannel_ metric name ([a-z0-9_])`);
  const type = sample.string('type');
  if (type !== 'counter' && type !== 'gauge') sample.fail('type', `expected "counter" or "gauge", got ${describeValue(type)}`);
  const help = sample.string('help');
  if (/[\r\n]/.test(help)) sample.fail('help', 'must be one line');
  const value = sample.number('value');
  if (type === 'counter' && value < 0) sample.fail('value', `a counter cannot be negative (got ${value})`);
  const labels = sample.optionalStringRecord('labels');
  for (const label of Object.keys(labels ?? {})) {
    if (!LABEL_NAME.test(label)) sample.fail(`labels.${label}`, 'is not a label name ([a-z_][a-z0-9_]*)');
  }
  return { name, type, help, value, ...(labels === undefined ? {} : { labels }) };
}

/** `status.kernel`: what the backend's last reconcile pass found. */
export function readKernelReport(status: MessageFields): KernelReport | undefined {
  if (!status.has('kernel')) return undefined;
  const kernel = status.nested('kernel');
  const wanted = kernel.integer('wanted', 0, MAX_COUNT);
  const present = kernel.integer('present', 0, MAX_COUNT);
  const missing = kernel.stringArray('missing');
  if (missing.length > MAX_KERNEL_LIST) kernel.fail('missing', `at most ${MAX_KERNEL_LIST} entries, got ${missing.length}`);
  const repaired = kernel.eachObject('repaired', (r) => {
    const at = r.string('at');
    if (Number.isNaN(Date.parse(at))) r.fail('at', `${describeValue(at)} is not an ISO-8601 time`);
    return { entry: r.string('entry'), at };
  });
  if (repaired.length > MAX_KERNEL_LIST) kernel.fail('repaired', `at most ${MAX_KERNEL_LIST} entries, got ${repaired.length}`);
  return { wanted, present, missing, repaired };
}
