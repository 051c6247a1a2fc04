/**
 * JSON text as Go's encoding/json writes it: like JSON.stringify, but `<`, `>`, `&`, U+2028 and
 * U+2029 escaped. Those characters only ever occur inside strings, so escaping the whole text is safe.
 */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A response body as Go's json.Encoder writes it: the value, then a newline. */
export function encoderBody(json: string): string {
  return `${json}\n`;
}

/** Parses a JSON body, naming what was expected when it is not JSON. */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${what} is not JSON: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The fields of a JSON object as Go's decoder matches them to struct fields: case-insensitively, the
 * last match winning. Throws naming `what` when the value is not an object.
 */
export function goFields(value: unknown, what: string): Map<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${what} is not a JSON object`);
  }
  const fields = new Map<string, unknown>();
  for (const [k, v] of Object.entries(value)) fields.set(k.toLowerCase(), v);
  return fields;
}
