/** How many characters of a runtime-supplied value an error quotes: an environment string can be 128 KiB. */
const QUOTE_MAX_CHARS = 64;

/** A string as a JSON literal, cut to QUOTE_MAX_CHARS code points with an ellipsis and its length when longer. */
export function quote(text: string): string {
  const chars = Array.from(text.slice(0, 4 * QUOTE_MAX_CHARS));
  if (text.length <= QUOTE_MAX_CHARS || chars.length <= QUOTE_MAX_CHARS) return JSON.stringify(text);
  return `${JSON.stringify(chars.slice(0, QUOTE_MAX_CHARS).join('') + '…')} (${text.length} chars)`;
}
