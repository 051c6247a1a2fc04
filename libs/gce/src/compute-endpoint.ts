/** The variable naming a Compute API endpoint other than Google's (a proxy, an emulator, a fake). */
export const COMPUTE_ENDPOINT_VARIABLE = 'FLANNEL_GCE_COMPUTE_ENDPOINT';

/** Client options for the Compute endpoint; empty (Google's API) when `url` is unset. */
export interface EndpointOptions {
  readonly apiEndpoint?: string;
  readonly port?: number;
  readonly protocol?: string;
}

/** Parses FLANNEL_GCE_COMPUTE_ENDPOINT (`http://127.0.0.1:8089`); throws one line naming the variable. */
export function computeEndpoint(url: string | undefined): EndpointOptions {
  if (url === undefined || url === '') return {};
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${COMPUTE_ENDPOINT_VARIABLE}=${JSON.stringify(url)} is not a URL (expected e.g. http://127.0.0.1:8089)`);
  }
  if (!['http:', 'https:'].includes(parsed.protocol) || (parsed.pathname !== '/' && parsed.pathname !== '')) {
    throw new Error(`${COMPUTE_ENDPOINT_VARIABLE}=${JSON.stringify(url)}: expected http(s)://host[:port] with no path`);
  }
  const protocol = parsed.protocol.slice(0, -1);
  const port = parsed.port ? Number(parsed.port) : protocol === 'https' ? 443 : 80;
  return { apiEndpoint: parsed.hostname.replace(/^\[|\]$/g, ''), port, protocol };
}
