import { describe, expect, it } from 'vitest';
import { QUOTE_MAX_CHARS, quoteValue } from './quote.js';

describe('quoteValue', () => {
  it('quotes a short value whole, as JSON', () => {
    expect(quoteValue('vxlan')).toBe('"vxlan"');
    expect(quoteValue('')).toBe('""');
    expect(quoteValue('a"b\n')).toBe('"a\\"b\\n"');
    expect(quoteValue('y'.repeat(QUOTE_MAX_CHARS))).toBe(`"${'y'.repeat(QUOTE_MAX_CHARS)}"`);
  });

  it('cuts a longer value to the limit with an ellipsis and says how long it was', () => {
    expect(quoteValue('y'.repeat(QUOTE_MAX_CHARS + 1))).toBe(`"${'y'.repeat(QUOTE_MAX_CHARS)}…" (65 chars)`);
    const huge = quoteValue('z'.repeat(1 << 20));
    expect(huge).toBe(`"${'z'.repeat(QUOTE_MAX_CHARS)}…" (1048576 chars)`);
  });

  it('never splits a character made of two UTF-16 units', () => {
    const text = '😀'.repeat(100);
    expect(quoteValue(text)).toBe(`"${'😀'.repeat(QUOTE_MAX_CHARS)}…" (200 chars)`);
    expect(quoteValue('😀'.repeat(QUOTE_MAX_CHARS))).toBe(`"${'😀'.repeat(QUOTE_MAX_CHARS)}"`);
  });

  it('takes another limit', () => {
    expect(quoteValue('abcdef', 3)).toBe('"abc…" (6 chars)');
  });
});
