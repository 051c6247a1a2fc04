// Checks across flags, made after the command line and the environment are both applied.
// A failure here is a fatal startup error (exit 1), as in flannel.
import { formatDurationMs, type FlagSources, type FlagValues } from '@flannel-ts/go-flags';
import { DEFAULT_RENEW_MARGIN_MS, type FlanneldFlags } from './flag-table.js';

type Values = FlagValues<FlanneldFlags>;

/** The first fatal combination, as one line, or undefined when the flags can run. */
export function findUnsupportedUse(values: Values): string | undefined {
  if (values.listen !== '' && values.remote !== '') return '--listen and --remote are mutually exclusive';
  if (values.publicIpv6 !== '') return '--public-ipv6 is not supported: flannel-ts is IPv4 only';
  if (values.remote !== '' && !/^[^/\s]+:\d+$/.test(values.remote)) return `--remote=${values.remote}: expected host:port`;
  return undefined;
}

/**
 * The renew margin in effect: the explicit value when given (it must be above zero and below the
 * TTL), else 60 minutes capped at a quarter of the TTL. Returns an error line instead when out of range.
 */
export function resolveRenewMargin(values: Values, sources: FlagSources<FlanneldFlags>): { ms: number } | { error: string } {
  const ttl = values.subnetLeaseTtl;
  if (sources.subnetLeaseRenewMargin === 'default') return { ms: Math.min(DEFAULT_RENEW_MARGIN_MS, ttl / 4) };
  const margin = values.subnetLeaseRenewMargin;
  if (margin > 0 && margin < ttl) return { ms: margin };
  return {
    error:
      'Invalid subnet-lease-renew-margin option, out of acceptable range ' +
      `(${formatDurationMs(margin)} is not above 0s and below -subnet-lease-ttl ${formatDurationMs(ttl)})`,
  };
}
