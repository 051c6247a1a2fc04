import { describe, expect, it } from 'vitest';
import { applyEnvironment } from './apply-environment.js';
import { FlagError } from './flag-error.js';
import { customFlag, durationFlag, ignoredFlag, stringListFlag } from './flag-kinds.js';
import { parseCommandLine } from './parse-command-line.js';
import { formatFlagDefaults } from './usage.js';

describe('stringListFlag', () => {
  const table = {
    peers: stringListFlag({ name: 'peer', default: ['a'], help: 'peers' }),
    upper: stringListFlag({
      name: 'upper',
      help: 'upper-case names',
      parseItem: (text) => {
        if (text === '') throw new Error('must not be empty');
        return text.toUpperCase();
      },
    }),
  };

  it('keeps its default until the first explicit occurrence replaces it', () => {
    expect(parseCommandLine(table, []).values.peers).toEqual(['a']);
    expect(parseCommandLine(table, ['-peer=b', '-peer=c']).values.peers).toEqual(['b', 'c']);
    expect(applyEnvironment(table, parseCommandLine(table, []), { X_PEER: 'd' }, 'X').values.peers).toEqual(['d']);
  });

  it('runs parseItem on every element', () => {
    expect(parseCommandLine(table, ['-upper', 'eth0', '-upper=ens3']).values.upper).toEqual(['ETH0', 'ENS3']);
    expect(() => parseCommandLine(table, ['-upper=']))
      .toThrow(new FlagError('invalid value "" for flag -upper: must not be empty', 'invalid-value', 'upper'));
  });

  it('shows a non-empty default in usage', () => {
    expect(formatFlagDefaults(table)).toContain('  -peer string\n    \tpeers (default ["a"])\n');
  });
});

describe('customFlag, durationFlag and ignoredFlag', () => {
  it('shows no default unless describeDefault returns one', () => {
    const table = {
      a: customFlag({ name: 'a', default: 1, valueName: 'n', help: 'A', parse: Number }),
      b: durationFlag({ name: 'b', help: 'B' }),
      c: ignoredFlag({ name: 'c', isBool: true, help: 'C' }),
    };
    expect(formatFlagDefaults(table)).toBe('  -a n\n    \tA\n  -b duration\n    \tB\n  -c\tC\n');
    expect(parseCommandLine(table, []).values).toEqual({ a: 1, b: 0, c: undefined });
  });

  it('lets an ignored non-boolean flag take the next argument', () => {
    const table = { c: ignoredFlag({ name: 'c', isBool: false, help: 'C' }) };
    expect(parseCommandLine(table, ['-c', 'x', 'rest']).positionals).toEqual(['rest']);
    expect(() => parseCommandLine(table, ['-c'])).toThrow('flag needs an argument: -c');
  });
});
