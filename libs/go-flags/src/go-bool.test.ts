import { describe, expect, it } from 'vitest';
import { parseGoBool } from './go-bool.js';

describe('parseGoBool', () => {
  it('accepts exactly the spellings of Go strconv.ParseBool', () => {
    for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) expect(parseGoBool(t)).toBe(true);
    for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) expect(parseGoBool(f)).toBe(false);
  });

  it('rejects everything else with "parse error"', () => {
    for (const bad of ['', 'yes', 'no', 'on', 'tRUE', 'fAlse', ' true', 'true ', '2', '-1', 'y']) {
      expect(() => parseGoBool(bad), bad).toThrow(/^parse error$/);
    }
  });
});
