import { badRequest } from './google-error.js';

/**
 * The Compute API's list filter in the form flannel uses: `<field> eq|ne <RE2 regex>`, the regex
 * matching the whole value (`name eq flannel-default-.*`). No filter matches everything.
 */
export function listFilter(filter: string | null): (item: Record<string, unknown>) => boolean {
  if (!filter) return () => true;
  const m = /^\s*(\w+)\s+(eq|ne)\s+(.+?)\s*$/.exec(filter);
  if (!m) throw badRequest(`Invalid list filter expression '${filter}'.`);
  const [, field, op, pattern] = m as unknown as [string, string, string, string];
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern})$`);
  } catch {
    throw badRequest(`Invalid regular expression in list filter '${filter}'.`);
  }
  return (item) => re.test(String(item[field] ?? '')) === (op === 'eq');
}
