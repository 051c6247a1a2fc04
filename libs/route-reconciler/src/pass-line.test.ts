import { describe, expect, it } from 'vitest';
import { passLine } from './pass-line.js';

describe('passLine', () => {
  it('names the peers, the reason and each table’s changes, failures only where there were some', () => {
    const line = passLine('vxlan', 12, process.hrtime.bigint(), 'snapshot', {
      routes: { added: 1, removed: 0, kept: 11, failed: 0 },
      fdb: { added: 0, removed: 2, kept: 10, failed: 1 },
    });
    expect(line).toMatch(/^Reconciled 12 vxlan peers in \d+ ms \(snapshot\): routes \+1 -0 =11, fdb \+0 -2 =10 !1$/);
  });
});
