import { describe, expect, it } from 'vitest';
import { ChangeFeed } from './change-feed.js';

const never = () => () => undefined;
const events = (cursor: number, ...json: string[]) => `{"events":[${json.join(',')}],"snapshot":null,"cursor":"${cursor}"}\n`;

describe('ChangeFeed', () => {
  it('answers every change after the cursor in one reply, the cursor the newest revision', async () => {
    const feed = new ChangeFeed(10, () => 'snapshot');
    feed.start(100n);
    feed.append(101n, ['a'], ['"a1"']);
    feed.append(105n, ['b', 'a'], ['"b5"', '"a5"']);
    expect(await feed.next(100n, undefined, never)).toBe(events(105, '"a1"', '"b5"', '"a5"'));
    expect(await feed.next(101n, undefined, never)).toBe(events(105, '"b5"', '"a5"'));
    expect(await feed.next(103n, 'a', never)).toBe(events(105, '"a5"'));
  });

  it('makes a reader at the newest revision wait, and wakes every waiting reader with the next change', async () => {
    const feed = new ChangeFeed(10, () => 'snapshot');
    feed.start(7n);
    const readers = [feed.next(7n, undefined, never), feed.next(7n, undefined, never), feed.next(7n, 'x', never)];
    expect(feed.waiting).toBe(3);
    feed.append(8n, ['y'], ['"y8"']);
    expect(feed.waiting).toBe(1);
    expect(await readers[0]).toBe(events(8, '"y8"'));
    expect(await readers[1]).toBe(events(8, '"y8"'));
    feed.append(9n, ['x'], ['"x9"']);
    expect(await readers[2]).toBe(events(9, '"x9"'));
  });

  it('gives a snapshot to a cursor older than the history it keeps', async () => {
    const feed = new ChangeFeed(2, (key) => `snapshot of ${key ?? 'all'}`);
    feed.start(10n);
    for (const rev of [11n, 12n, 13n]) feed.append(rev, ['k'], [`"${rev}"`]);
    expect(await feed.next(10n, undefined, never)).toBe('snapshot of all');
    expect(await feed.next(9n, 'k', never)).toBe('snapshot of k');
    expect(await feed.next(11n, undefined, never)).toBe(events(13, '"12"', '"13"'));
  });

  it('forgets a reader that leaves, and answers the rest with nothing when closed', async () => {
    const feed = new ChangeFeed(10, () => 'snapshot');
    feed.start(1n);
    let leave = () => {};
    const left = feed.next(1n, undefined, (l) => ((leave = l), () => undefined));
    const staying = feed.next(1n, undefined, never);
    leave();
    expect(await left).toBeUndefined();
    expect(feed.waiting).toBe(1);
    feed.close();
    expect(await staying).toBe('');
  });
});
