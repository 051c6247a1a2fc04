import { expect, test } from 'vitest';
import { formatTable } from './table.js';

test('columns aligned with spaces, no tabs, no trailing spaces', () => {
  expect(formatTable(['A', 'LONGER'], [['wide cell', 'x'], ['y', '']])).toBe('A          LONGER\nwide cell  x\ny\n');
});
