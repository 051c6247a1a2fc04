import { describe, expect, test } from 'vitest';
import { defaultLogFormat, logFormatFromEnv, parseLogFormat } from './log-format.js';

describe('log format', () => {
  test('parses json and text, refuses anything else listing the choices', () => {
    expect(parseLogFormat('json')).toBe('json');
    expect(parseLogFormat('text')).toBe('text');
    expect(() => parseLogFormat('pretty')).toThrow('want one of json, text');
  });

  test('defaults to text on a terminal, JSON elsewhere', () => {
    expect(defaultLogFormat({ isTTY: true })).toBe('text');
    expect(defaultLogFormat({ isTTY: false })).toBe('json');
    expect(defaultLogFormat({})).toBe('json');
  });

  test('reads FLANNEL_LOG_FORMAT, ignoring values that are not a format', () => {
    expect(logFormatFromEnv({ FLANNEL_LOG_FORMAT: 'text' })).toBe('text');
    expect(logFormatFromEnv({ FLANNEL_LOG_FORMAT: 'bogus' })).toBeUndefined();
    expect(logFormatFromEnv({})).toBeUndefined();
  });
});
