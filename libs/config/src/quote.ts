/** How many characters of a value an error message quotes; a config value can be megabytes long. */
export const QUOTE_MAX_CHARS = 64;

/**
 * A string as a JSON literal for one log line, cut to QUOTE_MAX_CHARS characters with an ellipsis and
 * the full length when longer: `"warp"`, `"xxxx…" (1048576 chars)`. Cuts between code points, so
 * a surrogate pair is never split.
 */
export function quoteValue(text: string, max = QUOTE_MAX_CHARS): string {
  const chars = Array.from(text.length > 4 * max ? text.slice(0, 4 * max) : text);
  if (chars.length <= max) return JSON.stringify(text);
  return `${JSON.stringify(chars.slice(0, max).join('') + '…')} (${text.length} chars)`;
}
