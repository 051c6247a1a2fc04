// Parsers for the flags whose values need more than a plain string or bool. Each throws an Error
// whose message completes "invalid value "x" for flag -name: ...".
import { parseGoDurationMs, parseGoInt } from '@flannel-ts/go-flags';

/** Comma-separated endpoints; an empty element is a mistake. '' means none given. */
export function parseEndpointList(text: string): string[] {
  if (text === '') return [];
  const items = text.split(',').map((item) => item.trim());
  if (items.some((item) => item === '')) throw new Error('empty element in comma-separated list');
  return items;
}

export function parseEndpoint(text: string): string {
  if (text.trim() === '') throw new Error('must not be empty');
  return text.trim();
}

/** Whole seconds (the original's form) or a Go duration such as 30s or 5m; above zero. Returns ms. */
export function parseSyncIntervalMs(text: string): number {
  let ms: number;
  try {
    ms = parseGoInt(text) * 1_000;
  } catch {
    try {
      ms = parseGoDurationMs(text);
    } catch {
      throw new Error('want a number of seconds or a duration such as 30s or 5m');
    }
  }
  if (!(ms > 0)) throw new Error('must be above zero');
  return ms;
}

const ROUTE_TABLE_ID = /^rtb-[0-9a-z]+$/;

/** An EC2 route table id, or '' for "the table of this instance's subnet". */
export function parseRouteTableId(text: string): string {
  if (text === '' || ROUTE_TABLE_ID.test(text)) return text;
  throw new Error('want an EC2 route table id such as rtb-0abc123');
}
