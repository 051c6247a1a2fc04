import { formatDurationMs } from '@flannel-ts/go-flags';
import type { FlanneldOptions } from './options.js';

const REDACTED = '<redacted>';

/** Hides the password of a `scheme://user:password@host` endpoint. */
function redactEndpoint(endpoint: string): string {
  return endpoint.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, `$1:${REDACTED}@`);
}

/**
 * What the daemon logs about its options at start: readable durations, secrets redacted
 * (a set password shows as "<redacted>", an unset one as ""), unused modes left out.
 */
export function summarizeOptions(o: FlanneldOptions): Record<string, unknown> {
  return {
    etcdEndpoints: o.etcdEndpoints.map(redactEndpoint),
    etcdPrefix: o.etcdPrefix,
    etcdKeyfile: o.etcdKeyfile,
    etcdCertfile: o.etcdCertfile,
    etcdCafile: o.etcdCafile,
    etcdUsername: o.etcdUsername,
    etcdPassword: o.etcdPassword === '' ? '' : REDACTED,
    publicIp: o.publicIp ?? '',
    ifaces: o.ifaces,
    ifaceRegexes: o.ifaceRegexes,
    ifaceCanReach: o.ifaceCanReach ?? '',
    subnetFile: o.subnetFile,
    subnetLeaseTtl: formatDurationMs(o.subnetLeaseTtlMs),
    subnetLeaseRenewMargin: formatDurationMs(o.subnetLeaseRenewMarginMs),
    ipMasq: o.ipMasq,
    ipMasqBackend: o.ipMasqBackend,
    iptablesResync: formatDurationMs(o.iptablesResyncMs),
    iptablesForwardRules: o.iptablesForwardRules,
    healthz: o.healthzPort > 0 ? `${o.healthzIp}:${o.healthzPort}` : 'off',
    stateDir: o.stateDir,
    backendTimeout: formatDurationMs(o.backendTimeoutMs),
    verbosity: o.verbosity,
    ...(o.listen !== undefined && { listen: o.listen }),
    ...(o.remote !== undefined && { remote: o.remote }),
    ...(o.networks.length > 0 && { networks: o.networks, subnetDir: o.subnetDir }),
    ...(o.watchNetworks && { watchNetworks: true }),
  };
}
