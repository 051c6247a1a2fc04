import { formatIP4, tryParseIP4 } from '@flannel-ts/ip';
import type { LeaseAttrs } from './lease.js';

/**
 * The lease value byte for byte as Go flanneld v0.20 writes it: field order PublicIP, PublicIPv6
 * (always present, null), BackendType and BackendData only when set.
 */
export function encodeLeaseAttrs(attrs: LeaseAttrs): string {
  let json = `{"PublicIP":${JSON.stringify(formatIP4(attrs.publicIp))},"PublicIPv6":null`;
  if (attrs.backendType) json += `,"BackendType":${JSON.stringify(attrs.backendType)}`;
  if (attrs.backendData !== undefined) json += `,"BackendData":${compactJson(attrs.backendData, 'BackendData')}`;
  return `${json}}`;
}

function compactJson(raw: string, what: string): string {
  try {
    return JSON.stringify(JSON.parse(raw));
  } catch {
    throw new Error(`lease ${what} is not valid JSON: ${raw}`);
  }
}

/** Reads any value Go flanneld v0.20 or v0.5 writes: case-insensitive field names, unknown fields ignored. */
export function decodeLeaseAttrs(value: string): LeaseAttrs {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error(`lease value is not JSON: ${truncate(value)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`lease value is not a JSON object: ${truncate(value)}`);
  }
  const fields = new Map<string, unknown>();
  for (const [k, v] of Object.entries(parsed)) {
    // Go's decoder takes the last case-insensitive match.
    fields.set(k.toLowerCase(), v);
  }
  const publicIpText = fields.get('publicip');
  const publicIp = typeof publicIpText === 'string' ? tryParseIP4(publicIpText) : undefined;
  if (publicIp === undefined) {
    throw new Error(`lease value has no valid PublicIP: ${truncate(value)}`);
  }
  const backendType = fields.get('backendtype');
  if (backendType !== undefined && backendType !== null && typeof backendType !== 'string') {
    throw new Error(`lease value has a non-string BackendType: ${truncate(value)}`);
  }
  const backendData = fields.get('backenddata');
  return {
    publicIp,
    ...(typeof backendType === 'string' && backendType !== '' ? { backendType } : {}),
    ...(backendData !== undefined && backendData !== null ? { backendData: JSON.stringify(backendData) } : {}),
  };
}

function truncate(text: string): string {
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
