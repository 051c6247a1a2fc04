import { describe, expect, test } from 'vitest';
import { formatTextLine, textStream } from './text-format.js';

const time = new Date(2024, 4, 1, 12, 3, 4, 5).getTime(); // local time, as the format shows it

describe('formatTextLine', () => {
  test('time level [component] msg key=value', () => {
    const line = formatTextLine({
      level: 30,
      time,
      pid: 42,
      hostname: 'node-1',
      name: 'flanneld',
      component: 'lease',
      msg: 'acquired lease',
      subnet: '10.1.15.0/24',
      ttlSeconds: 86400,
      renewed: false,
      note: 'two words',
      attrs: { PublicIP: '192.0.2.1' },
      none: null,
    });
    expect(line).toBe(
      '12:03:04.005 INFO  [lease] acquired lease subnet=10.1.15.0/24 ttlSeconds=86400 renewed=false ' +
        'note="two words" attrs={"PublicIP":"192.0.2.1"} none=null\n',
    );
  });

  test("a backend's lines carry its name", () => {
    const line = formatTextLine({ level: 30, time: Date.UTC(2026, 0, 2, 3, 4, 5, 6), name: 'flannel-backend-vxlan', msg: 'Lease 10.244.1.0/24' });
    expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  \[backend-vxlan\] Lease 10\.244\.1\.0\/24\n$/);
    expect(formatTextLine({ level: 30, time: 0, name: 'flanneld', msg: 'x' })).not.toContain('[');
  });

  test('without component or msg, and with an unknown level', () => {
    expect(formatTextLine({ level: 50, time, code: 1 })).toBe('12:03:04.005 ERROR code=1\n');
    expect(formatTextLine({ level: 35, time })).toBe('12:03:04.005 LEVEL35\n');
  });

  test('keeps a multi-line message on one line', () => {
    expect(formatTextLine({ level: 40, time, msg: 'first\nsecond' })).toBe('12:03:04.005 WARN  first\\nsecond\n');
  });

  test('an error shows its message inline and its stack below', () => {
    const line = formatTextLine({
      level: 50,
      time,
      msg: 'backend crashed',
      err: { type: 'Error', message: 'exit code 1', stack: 'Error: exit code 1\n    at run (main.ts:1:1)' },
    });
    expect(line).toBe('12:03:04.005 ERROR backend crashed err="exit code 1"\n    Error: exit code 1\n    at run (main.ts:1:1)\n');
  });
});

describe('textStream', () => {
  test('turns each JSON line into a text line and passes anything else through', () => {
    const out: string[] = [];
    const stream = textStream({ write: (text) => out.push(text) });
    stream.write(`${JSON.stringify({ level: 20, time, msg: 'hello' })}\n`);
    stream.write('not json\n');
    expect(out).toEqual(['12:03:04.005 DEBUG hello\n', 'not json\n']);
  });
});
