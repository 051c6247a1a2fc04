import { describe, expect, it } from 'vitest';
import { txnRequest } from './etcdctl-txn.js';

describe('txnRequest', () => {
  it('writes an empty compare section, the ops, and empty failure section, Go-quoted', () => {
    expect(txnRequest([{ put: ['/a', 'v 1'] }, { put: ['-k', '"q"\n'] }, { del: '/b' }])).toBe(
      '\nput -- "/a" "v 1"\nput -- "-k" "\\"q\\"\\n"\ndel -- "/b"\n\n\n',
    );
  });

  it('still terminates every section with no ops', () => {
    expect(txnRequest([])).toBe('\n\n\n');
  });
});
