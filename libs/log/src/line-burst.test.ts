import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { createLogger, type LogFormat } from './create-logger.js';
import { logInBurst } from './line-burst.js';

function capture(format: LogFormat = 'json') {
  const writes: string[] = [];
  const log = createLogger({ name: 'test', verbosity: 0, format, destination: { write: (text) => writes.push(text) } });
  return { log, writes };
}

describe('logInBurst', () => {
  test("writes a burst's lines, a child's included, with one write, and later lines one by one", () => {
    const { log, writes } = capture();
    const child = log.child({ component: 'peers' });
    logInBurst(child, () => {
      for (let i = 0; i < 3; i++) child.info(`Subnet added: 10.0.${i}.0/24 via 192.0.2.${i}`);
      log.warn('beside');
    });
    expect(writes).toHaveLength(1);
    const records = writes[0]!.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((r) => [r.component, r.msg])).toEqual([
      ['peers', 'Subnet added: 10.0.0.0/24 via 192.0.2.0'],
      ['peers', 'Subnet added: 10.0.1.0/24 via 192.0.2.1'],
      ['peers', 'Subnet added: 10.0.2.0/24 via 192.0.2.2'],
      [undefined, 'beside'],
    ]);
    child.info('after');
    log.info('and after');
    expect(writes).toHaveLength(3);
  });

  test('writes a long burst in pieces of about 64 KiB, every line whole and in order', () => {
    const { log, writes } = capture();
    const count = 5_000;
    logInBurst(log, () => {
      for (let i = 0; i < count; i++) log.info(`Subnet added: 10.${i >> 8}.${i & 255}.0/24 via 198.18.${i >> 8}.${i & 255}`);
    });
    expect(writes.length).toBeGreaterThan(5);
    for (const piece of writes.slice(0, -1)) {
      expect(piece.length).toBeGreaterThanOrEqual(64 * 1024);
      expect(piece.length).toBeLessThan(64 * 1024 + 200);
    }
    const msgs = writes.flatMap((piece) => {
      expect(piece.endsWith('\n')).toBe(true);
      return piece.trimEnd().split('\n').map((line) => (JSON.parse(line) as { msg: string }).msg);
    });
    expect(msgs).toHaveLength(count);
    expect(msgs[4_999]).toBe('Subnet added: 10.19.135.0/24 via 198.18.19.135');
  });

  test('writes text lines in one write too', () => {
    const { log, writes } = capture('text');
    logInBurst(log, () => ['a', 'b'].forEach((msg) => log.info(msg)));
    expect(writes).toHaveLength(1);
    expect(writes[0]!.split('\n').filter(Boolean).map((line) => line.split(' ').at(-1))).toEqual(['a', 'b']);
  });

  test('writes what a failing burst logged before it threw, and a nested burst joins the outer one', () => {
    const { log, writes } = capture();
    expect(() =>
      logInBurst(log, () => {
        log.info('first');
        logInBurst(log, () => log.info('nested'));
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(writes).toHaveLength(1);
    expect(writes[0]!.match(/"msg":"(\w+)"/g)).toEqual(['"msg":"first"', '"msg":"nested"']);
  });

  test('a write that fails at the end of a burst leaves the lines after it written one by one', () => {
    const writes: string[] = [];
    let broken = true;
    const log = createLogger({
      name: 'test',
      verbosity: 0,
      destination: {
        write: (text: string) => {
          if (broken) throw new Error('EPIPE');
          writes.push(text);
        },
      },
    });
    expect(() => logInBurst(log, () => log.info('lost'))).toThrow('EPIPE');
    broken = false;
    log.info('next');
    expect(writes).toHaveLength(1);
    expect(writes[0]).toContain('"msg":"next"');
  });

  test("writes nothing for a burst that logged nothing, and each line of another pino logger's burst", () => {
    const { log, writes } = capture();
    logInBurst(log, () => log.debug('below the level'));
    expect(writes).toEqual([]);
    const other: string[] = [];
    const plain = pino({ level: 'info' }, { write: (text: string) => other.push(text) });
    logInBurst(plain, () => ['x', 'y'].forEach((msg) => plain.info(msg)));
    expect(other).toHaveLength(2);
  });
});
