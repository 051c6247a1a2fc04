import { describe, expect, test } from 'vitest';
import { createLogger, type CreateLoggerOptions } from './create-logger.js';

/** A logger writing into an array, one entry per write pino makes. */
function capture(options: Partial<CreateLoggerOptions> = {}) {
  const lines: string[] = [];
  const log = createLogger({ name: 'test', verbosity: 0, destination: { write: (line) => lines.push(line) }, ...options });
  return { log, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('createLogger', () => {
  test.each([
    [0, ['info', 'warn']],
    [1, ['debug', 'info', 'warn']],
    [2, ['trace', 'debug', 'info', 'warn']],
    [7, ['trace', 'debug', 'info', 'warn']],
  ])('verbosity %i logs %j', (verbosity, expected) => {
    const { log, records } = capture({ verbosity });
    log.trace('trace');
    log.debug('debug');
    log.info('info');
    log.warn('warn');
    expect(records().map((record) => record.msg)).toEqual(expected);
  });

  test('rejects a verbosity that is not a count, naming it', () => {
    expect(() => capture({ verbosity: -1 })).toThrow('log verbosity must be a non-negative integer, got -1');
    expect(() => capture({ verbosity: 1.5 })).toThrow(/got 1.5/);
  });

  test('writes one JSON line per record with name, level, time and component', () => {
    const { log, lines, records } = capture();
    log.child({ component: 'lease' }).info({ subnet: '10.1.15.0/24' }, 'acquired');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('}\n')).toBe(true);
    expect(records()[0]).toMatchObject({ name: 'test', level: 30, component: 'lease', subnet: '10.1.15.0/24', msg: 'acquired' });
    expect(typeof records()[0]!.time).toBe('number');
  });

  test('redacts credentials at the top level and one level down', () => {
    const { log, lines } = capture();
    log.info(
      {
        password: 'secret-1',
        etcdPassword: 'secret-2',
        authorization: 'Bearer secret-3',
        etcd: { password: 'secret-4', etcdPassword: 'secret-5', username: 'flannel' },
        request: { authorization: 'Basic secret-6' },
      },
      'options',
    );
    expect(lines[0]).not.toMatch(/secret-/);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      password: '[Redacted]',
      etcdPassword: '[Redacted]',
      authorization: '[Redacted]',
      etcd: { password: '[Redacted]', etcdPassword: '[Redacted]', username: 'flannel' },
      request: { authorization: '[Redacted]' },
    });
  });

  test('text format: readable lines, still redacted', () => {
    const { log, lines } = capture({ format: 'text', verbosity: 1 });
    log.child({ component: 'backend' }).debug({ type: 'vxlan', password: 'secret' }, 'started');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} DEBUG \[backend\] started type=vxlan password=\[Redacted\]\n$/);
  });
});
