import type { DestinationStream } from 'pino';

const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** Shown in the fixed part of the line, or not at all (pid/hostname/name say nothing on a terminal). */
const NOT_AS_FIELDS = new Set(['level', 'time', 'msg', 'component', 'pid', 'hostname', 'name']);

const BACKEND_NAME_PREFIX = 'flannel-backend-';

/**
 * One pino record as a readable line: `time level [backend-<type>] [component] msg key=value...`. An error's stack
 * follows on indented lines, the one exception to "one line per record".
 */
export function formatTextLine(record: Readonly<Record<string, unknown>>): string {
  const level = typeof record.level === 'number' ? record.level : 0;
  const parts = [formatTime(record.time), (LEVEL_NAMES[level] ?? `LEVEL${level}`).padEnd(5)];
  // A backend's lines share flanneld's output: its name tells them apart (`[backend-hostgw]`).
  if (typeof record.name === 'string' && record.name.startsWith(BACKEND_NAME_PREFIX)) parts.push(`[${record.name.slice('flannel-'.length)}]`);
  if (typeof record.component === 'string') parts.push(`[${record.component}]`);
  if (typeof record.msg === 'string' && record.msg !== '') parts.push(escapeNewlines(record.msg));
  const stacks: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (NOT_AS_FIELDS.has(key)) continue;
    if (isSerializedError(value)) {
      parts.push(`${key}=${formatValue(value.message)}`);
      if (typeof value.stack === 'string') stacks.push(value.stack);
    } else {
      parts.push(`${key}=${formatValue(value)}`);
    }
  }
  const stackLines = stacks.flatMap((stack) => stack.split('\n').map((line) => `    ${line.trim()}`));
  return [parts.join(' '), ...stackLines].join('\n') + '\n';
}

/** A pino destination that turns each JSON line pino writes into a text line for `target`. */
export function textStream(target: { write(text: string): unknown }): DestinationStream {
  return {
    write(line: string) {
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        target.write(line); // not ours to judge; pass it through
        return;
      }
      target.write(formatTextLine(record as Record<string, unknown>));
    },
  };
}

function formatTime(time: unknown): string {
  if (typeof time !== 'number') return '--:--:--.---';
  const date = new Date(time);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  return JSON.stringify(value);
}

function escapeNewlines(text: string): string {
  return text.replace(/\r?\n/g, '\\n');
}

function isSerializedError(value: unknown): value is { message: unknown; stack?: unknown } {
  return typeof value === 'object' && value !== null && 'message' in value && 'stack' in value;
}
