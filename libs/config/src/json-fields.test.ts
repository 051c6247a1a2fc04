import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { describeJsonValue, foldFieldName, JsonFields, parseJsonObject } from './json-fields.js';

function thrown(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('parseJsonObject', () => {
  it('returns the object', () => {
    expect(parseJsonObject('{"a": 1}')).toEqual({ a: 1 });
  });

  it('turns a syntax error into a ConfigError keeping the cause', () => {
    const err = thrown(() => parseJsonObject('{"Network": '));
    expect(err.field).toBe('');
    expect(err.message).toMatch(/^config: invalid JSON: /);
    expect(err.cause).toBeInstanceOf(SyntaxError);
    expect(thrown(() => parseJsonObject('')).message).toMatch(/^config: invalid JSON: /);
  });

  it('names the document when it is not an object', () => {
    expect(thrown(() => parseJsonObject('[1]')).message).toBe('config: must be a JSON object (got an array)');
    expect(thrown(() => parseJsonObject('null')).message).toBe('config: must be a JSON object (got null)');
    expect(thrown(() => parseJsonObject('"x"', 'Backend')).message).toBe(
      'config: Backend: must be a JSON object (got "x")',
    );
  });
});

describe('field name matching', () => {
  it('folds ASCII case and the two non-ASCII letters Go folds onto ASCII', () => {
    expect(foldFieldName('SubnetLen')).toBe('subnetlen');
    expect(foldFieldName('\u017fubnetLen')).toBe('subnetlen'); // long s
    expect(foldFieldName('\u212aey')).toBe('key'); // Kelvin sign
    expect(foldFieldName('SUBNETLÉN')).toBe('subnetlÉn');
  });

  it('finds a field under any case, the last matching key winning', () => {
    const fields = new JsonFields({ network: 'a', NETWORK: 'b', Other: 1 });
    expect(fields.raw('Network')).toBe('b');
    expect(fields.raw('Missing')).toBeUndefined();
  });
});

describe('typed reads', () => {
  const fields = new JsonFields(
    { s: 'x', n: 3, neg: -1, frac: 1.5, b: true, nul: null, list: [1], obj: {}, numstr: '24' },
    'Backend',
  );

  it('treats null as absent for plain fields, like Go', () => {
    expect(fields.string('nul')).toBeUndefined();
    expect(fields.bool('nul')).toBeUndefined();
    expect(fields.uint('nul')).toBeUndefined();
    expect(fields.int('nul', { min: 0, max: 1 })).toBeUndefined();
    expect(fields.array('nul')).toBeUndefined();
  });

  it('rejects null for self-decoding fields when asked', () => {
    expect(thrown(() => fields.string('nul', { nullAllowed: false })).message).toBe(
      'config: Backend.nul: must be a string (got null)',
    );
  });

  it('returns values of the right type', () => {
    expect(fields.string('S')).toBe('x');
    expect(fields.uint('N')).toBe(3);
    expect(fields.int('neg', { min: -5, max: 5 })).toBe(-1);
    expect(fields.bool('B')).toBe(true);
    expect(fields.array('list')).toEqual([1]);
  });

  it('names the field, the expected type and the value on a type error', () => {
    expect(thrown(() => fields.string('n')).message).toBe('config: Backend.n: must be a string (got 3)');
    expect(thrown(() => fields.bool('s')).message).toBe('config: Backend.s: must be true or false (got "x")');
    expect(thrown(() => fields.uint('neg')).message).toBe('config: Backend.neg: must be an unsigned integer (got -1)');
    expect(thrown(() => fields.uint('frac')).field).toBe('Backend.frac');
    expect(thrown(() => fields.uint('numstr')).message).toBe(
      'config: Backend.numstr: must be an unsigned integer (got "24")',
    );
    expect(thrown(() => fields.int('frac', { min: 0, max: 9 })).message).toBe(
      'config: Backend.frac: must be an integer (got 1.5)',
    );
    expect(thrown(() => fields.array('obj')).message).toBe('config: Backend.obj: must be a list (got an object)');
  });

  it('checks integer ranges', () => {
    expect(thrown(() => fields.int('n', { min: 4, max: 9 })).message).toBe(
      'config: Backend.n: must be between 4 and 9 (got 3)',
    );
  });

  it('keeps long values to one short line', () => {
    expect(describeJsonValue('x'.repeat(500))).toBe(`"${'x'.repeat(64)}…" (500 chars)`);
    expect(describeJsonValue('a\nb')).toBe('"a\\nb"');
  });
});
