/**
 * Parses dotenv text as flannel's readers do (godotenv): `KEY=value` lines; blank lines and `#`
 * comments skipped; an optional `export ` prefix; values in single quotes taken literally, in double
 * quotes with \n, \" and \\ escapes; unquoted values end at ` #`. Lines without `=` are ignored.
 */
export function parseSubnetEnv(text: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    let line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('export ')) line = line.slice('export '.length).trimStart();
    const equals = line.indexOf('=');
    if (equals <= 0) continue;
    const key = line.slice(0, equals).trim();
    entries[key] = parseValue(line.slice(equals + 1).trim());
  }
  return entries;
}

function parseValue(text: string): string {
  const quote = text[0];
  if ((quote === '"' || quote === "'") && text.length >= 2) {
    const end = text.lastIndexOf(quote);
    if (end > 0) {
      const inner = text.slice(1, end);
      return quote === "'" ? inner : inner.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
  }
  const comment = text.search(/\s#/);
  return (comment < 0 ? text : text.slice(0, comment)).trimEnd();
}
