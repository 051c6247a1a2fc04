import { describe, expect, it } from 'vitest';
import { formatFlagDefaults } from './usage.js';
import { sampleTable } from './test-table.js';

describe('formatFlagDefaults', () => {
  it('lists visible flags sorted by name in Go PrintDefaults layout', () => {
    expect(formatFlagDefaults(sampleTable())).toBe(
      [
        '  -etcd-endpoints string',
        '    \tetcd endpoints (default "http://127.0.0.1:2379")',
        '  -etcd-prefix string',
        '    \tkey prefix',
        '  -healthz-port int',
        '    \thealth port',
        '  -iface string',
        '    \tinterface to use',
        '    \t(may be repeated)',
        '  -ip-masq',
        '    \tmasquerade',
        '  -iptables-forward-rules',
        '    \tforward rules (default true)',
        '  -log_dir string',
        '    \tignored',
        '  -q\tquiet',
        '  -renew-margin minutes',
        '    \trenew margin (default 60)',
        '  -subnet-lease-ttl duration',
        '    \tlease TTL (default 24h0m0s)',
        '  -v level',
        '    \tlog level',
        '  -version',
        '    \tprint version',
        '  -workers uint',
        '    \tworker count (default 4)',
        '',
      ].join('\n'),
    );
  });

  it('leaves out hidden flags', () => {
    expect(formatFlagDefaults(sampleTable())).not.toContain('logtostderr');
  });
});
