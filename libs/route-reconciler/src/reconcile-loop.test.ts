import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { MAX_FAILED_PASSES, ReconcileLoop, type LoopContext, type PassOutcome, type PassReason } from './reconcile-loop.js';

const PERIOD = 10_000;

/** The runner's side of the seam: one job at a time, in order, as the backend session runs them. */
function fakeRunner() {
  let tail: Promise<void> = Promise.resolve();
  const failures: unknown[] = [];
  const context: LoopContext = {
    exclusive(job) {
      const run = tail.then(() => job());
      tail = run.catch(() => {});
      return run;
    },
    fail: (error) => failures.push(error),
  };
  /** A Backend call that holds the queue until the returned function is called. */
  const backendCall = (): (() => void) => {
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    void context.exclusive(() => done);
    return finish;
  };
  return { context, failures, backendCall };
}

function logLines() {
  const lines: Array<{ level: number; msg: string; err?: { message: string } }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

/**
 * Moves the fake clock on, then 1 ms at a time a few times more: a fake setImmediate queued by a
 * tick runs at the next one, and a pass yields to the event loop before each of its steps.
 */
async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  for (let tick = 0; tick < 10; tick++) await vi.advanceTimersByTimeAsync(1);
}

describe('ReconcileLoop', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const setup = (pass: (reason: PassReason | 'snapshot') => PassOutcome | Promise<PassOutcome>, afterFullPass?: () => void) => {
    const runner = fakeRunner();
    const { log, lines } = logLines();
    const loop = new ReconcileLoop<'snapshot'>({
      pass,
      periodMs: PERIOD,
      context: runner.context,
      log,
      what: 'test routes',
      ...(afterFullPass && { afterFullPass }),
    });
    return { ...runner, loop, lines };
  };

  test('passes run every period, never while a Backend call holds the queue', async () => {
    const reasons: string[] = [];
    const { loop, backendCall } = setup((reason) => void reasons.push(reason));
    loop.start();
    await advance(PERIOD);
    expect(reasons).toEqual(['periodic']);

    const finish = backendCall();
    await advance(3 * PERIOD);
    expect(reasons).toEqual(['periodic']); // waiting for the call; the ticks meanwhile join one pass
    finish();
    await advance(0);
    expect(reasons).toEqual(['periodic', 'periodic']);
  });

  test('a pass in steps lets queued Backend calls run between its steps, and a trigger meanwhile runs after it', async () => {
    const done: string[] = [];
    const { loop, context } = setup((reason) => {
      done.push(`list (${reason})`);
      return [1, 2, 3].map((n) => () => void done.push(`step ${n}`));
    });
    loop.start();
    // A Backend call queued while the first part runs goes after it, before the next step.
    void context.exclusive(() => {
      done.push('backend call');
    });
    loop.trigger();
    await advance(0);
    expect(done.slice(0, 5)).toEqual(['backend call', 'list (triggered)', 'step 1', 'step 2', 'step 3']);
    loop.trigger();
    await advance(PERIOD);
    expect(done.filter((d) => d.startsWith('list'))).toEqual(['list (triggered)', 'list (triggered)', 'list (periodic)']);
  });

  test('a Backend call queued during a pass in steps runs before its remaining steps', async () => {
    const done: string[] = [];
    const queue: { context?: LoopContext } = {};
    const runner = setup(() => {
      done.push('list');
      void queue.context!.exclusive(() => void done.push('backend call'));
      return [() => void done.push('step 1'), () => void done.push('step 2')];
    });
    queue.context = runner.context;
    runner.loop.start();
    runner.loop.trigger();
    await advance(0);
    expect(done).toEqual(['list', 'backend call', 'step 1', 'step 2']);
  });

  test('runNow runs the steps of a pass at once (the Backend call holds the queue)', async () => {
    const done: string[] = [];
    const { loop } = setup(() => [() => void done.push('step 1'), () => [() => void done.push('step 2a')], () => void done.push('step 3')]);
    await loop.runNow('snapshot');
    expect(done).toEqual(['step 1', 'step 2a', 'step 3']);
  });

  test("an async step is awaited before the next, in runNow and in the loop's own passes (holding the queue)", async () => {
    const done: string[] = [];
    let release!: () => void;
    const queue: { context?: LoopContext; callMeanwhile?: boolean } = {};
    const runner = setup(() => [
      async () => {
        done.push('batch sent');
        if (queue.callMeanwhile) void queue.context!.exclusive(() => void done.push('backend call'));
        await new Promise<void>((resolve) => (release = resolve));
        done.push('batch settled');
        return [() => void done.push('after the batch')];
      },
      () => void done.push('last step'),
    ]);
    queue.context = runner.context;
    const now = runner.loop.runNow('snapshot');
    await advance(0);
    expect(done).toEqual(['batch sent']);
    release();
    await now;
    expect(done).toEqual(['batch sent', 'batch settled', 'after the batch', 'last step']);

    // The loop's own pass: a Backend call queued while the step waits runs only after it settled.
    done.length = 0;
    queue.callMeanwhile = true;
    runner.loop.start();
    runner.loop.trigger();
    await advance(0);
    expect(done).toEqual(['batch sent']);
    release();
    await advance(0);
    expect(done).toEqual(['batch sent', 'batch settled', 'backend call', 'after the batch', 'last step']);
  });

  test("a step's own steps run right after it, each a job of its own with Backend calls between them", async () => {
    const done: string[] = [];
    const queue: { context?: LoopContext } = {};
    const call = (name: string) => void queue.context!.exclusive(() => void done.push(name));
    const runner = setup(() => [
      () => {
        done.push('dump 1');
        call('backend call 1');
        return [() => void done.push('run 1a'), () => [() => void done.push('run 1b.1')]];
      },
      () => {
        call('backend call 2');
        done.push('dump 2');
      },
    ]);
    queue.context = runner.context;
    runner.loop.start();
    runner.loop.trigger();
    await advance(0);
    expect(done).toEqual(['dump 1', 'backend call 1', 'run 1a', 'run 1b.1', 'dump 2', 'backend call 2']);
  });

  test('a message arriving while a pass runs (a macrotask, as IPC input is) gets in before the next step', async () => {
    const done: string[] = [];
    const queue: { context?: LoopContext } = {};
    const runner = setup(() => [
      () => {
        done.push('step 1');
        setImmediate(() => void queue.context!.exclusive(() => void done.push('peer change')));
      },
      () => void done.push('step 2'),
    ]);
    queue.context = runner.context;
    runner.loop.start();
    runner.loop.trigger();
    await advance(0);
    expect(done).toEqual(['step 1', 'peer change', 'step 2']);
  });

  test('a step that throws ends its pass: the steps it would have left and the later ones do not run', async () => {
    const done: string[] = [];
    const { loop, lines } = setup(() => [
      () => {
        throw new Error('dump failed');
      },
      () => void done.push('step 2'),
    ]);
    loop.start();
    loop.trigger();
    await advance(0);
    expect(done).toEqual([]);
    expect(lines.some((l) => l.msg.includes('dump failed'))).toBe(true);
  });

  test('triggers before the pass runs make one pass, and a trigger names a waiting periodic pass', async () => {
    const reasons: string[] = [];
    const { loop, backendCall } = setup((reason) => void reasons.push(reason));
    loop.trigger();
    await advance(0);
    expect(reasons).toEqual([]); // not started: nothing to keep in line yet

    loop.start();
    for (let i = 0; i < 5; i++) loop.trigger();
    await advance(0);
    expect(reasons).toEqual(['triggered']);

    const finish = backendCall();
    await advance(PERIOD);
    loop.trigger();
    finish();
    await advance(0);
    expect(reasons).toEqual(['triggered', 'triggered']);
  });

  test('a failing pass is logged with its cause and retried at the next period; a success resets the count', async () => {
    let failing = true;
    const { loop, lines, failures } = setup(() => {
      if (failing) throw new Error('dumping routes', { cause: new Error('ENOBUFS') });
    });
    loop.start();
    await advance(PERIOD * (MAX_FAILED_PASSES - 1));
    const errors = lines.filter((l) => l.level === 50);
    expect(errors).toHaveLength(MAX_FAILED_PASSES - 1);
    expect(errors[0]!.msg).toBe(
      `Reconciling test routes (periodic) failed (1 in a row; the backend stops at ${MAX_FAILED_PASSES}), retrying in 10 s: dumping routes: ENOBUFS`,
    );
    expect(errors[0]!.err?.message).toContain('ENOBUFS');

    failing = false;
    await advance(PERIOD);
    expect(lines.at(-1)!.msg).toBe(`Reconciling test routes works again after ${MAX_FAILED_PASSES - 1} failed pass(es)`);
    failing = true;
    await advance(PERIOD * (MAX_FAILED_PASSES - 1));
    expect(failures).toEqual([]);
  });

  test(`${MAX_FAILED_PASSES} failed passes in a row end the backend through fail()`, async () => {
    const { loop, failures } = setup(() => {
      throw new Error('dumping routes: Operation not permitted');
    });
    loop.start();
    await advance(PERIOD * MAX_FAILED_PASSES);
    expect(failures).toHaveLength(1);
    expect((failures[0] as Error).message).toBe(
      `reconciling test routes failed ${MAX_FAILED_PASSES} times in a row, the last (periodic): dumping routes: Operation not permitted`,
    );
    expect(((failures[0] as Error).cause as Error).message).toBe('dumping routes: Operation not permitted');
  });

  test('a bug-type error ends the backend at once, also as the cause of another error', async () => {
    const cases: Array<[Error, string]> = [
      [new TypeError("Cannot read properties of undefined (reading 'index')"), "Cannot read properties of undefined (reading 'index')"],
      [new Error('planning', { cause: new RangeError('Invalid array length') }), 'planning: Invalid array length'],
    ];
    for (const [error, text] of cases) {
      const { loop, failures } = setup(() => {
        throw error;
      });
      loop.start();
      loop.trigger();
      await advance(0);
      expect(failures).toHaveLength(1);
      expect((failures[0] as Error).message).toBe(`reconciling test routes (triggered): ${text}`);
      expect((failures[0] as Error).cause).toBe(error);
      loop.stop();
    }
  });

  test('runNow (inside a Backend call) never throws and counts towards the same policy', async () => {
    let calls = 0;
    const { loop, failures } = setup((reason) => {
      calls++;
      throw new Error(`kernel says no (${reason})`);
    });
    loop.start();
    for (let i = 0; i < MAX_FAILED_PASSES - 1; i++) await expect(loop.runNow('snapshot')).resolves.toBeUndefined();
    expect(failures).toEqual([]);
    await advance(PERIOD);
    expect(calls).toBe(MAX_FAILED_PASSES);
    expect((failures[0] as Error).message).toContain('the last (periodic): kernel says no (periodic)');
  });

  test('no pass after stop, not even one already waiting', async () => {
    const reasons: string[] = [];
    const { loop, backendCall } = setup((reason) => void reasons.push(reason));
    loop.start();
    const finish = backendCall();
    loop.trigger();
    await advance(0);
    loop.stop();
    finish();
    await advance(3 * PERIOD);
    expect(reasons).toEqual([]);
  });

  test('afterFullPass runs once after each full pass, on its own turn after the last step, never after a partial one', async () => {
    const events: string[] = [];
    const step = (name: string) => () => void events.push(name);
    const { loop } = setup(
      (reason) => {
        events.push(`pass ${reason}`);
        return [step('step 1'), () => [step('step 2a'), step('step 2b')]];
      },
      () => events.push('after'),
    );
    loop.start();
    await advance(PERIOD);
    expect(events).toEqual(['pass periodic', 'step 1', 'step 2a', 'step 2b', 'after']);

    events.length = 0;
    const running = loop.runNow('snapshot');
    await running;
    expect(events).toEqual(['pass snapshot', 'step 1', 'step 2a', 'step 2b']); // not inside the Backend call
    await advance(0);
    expect(events).toEqual(['pass snapshot', 'step 1', 'step 2a', 'step 2b', 'after']);

    events.length = 0;
    await loop.runNow('snapshot', () => void events.push('partial'));
    await advance(0);
    expect(events).toEqual(['partial']);
  });

  test('afterFullPass runs after a failed full pass too: it left garbage all the same', async () => {
    let afters = 0;
    const { loop } = setup(
      () => {
        throw new Error('dump failed');
      },
      () => afters++,
    );
    loop.start();
    await advance(PERIOD);
    expect(afters).toBe(1);
    await loop.runNow('snapshot');
    await advance(0);
    expect(afters).toBe(2);
  });
});
