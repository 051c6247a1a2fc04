// A small table shared by this library's tests (not exported from index.ts).
import {
  boolFlag,
  customFlag,
  durationFlag,
  ignoredFlag,
  intFlag,
  stringFlag,
  stringListFlag,
  uintFlag,
} from './flag-kinds.js';

export function sampleTable() {
  return {
    endpoints: stringFlag({ name: 'etcd-endpoints', default: 'http://127.0.0.1:2379', help: 'etcd endpoints' }),
    prefix: stringFlag({ name: 'etcd-prefix', help: 'key prefix' }),
    ipMasq: boolFlag({ name: 'ip-masq', help: 'masquerade' }),
    forwardRules: boolFlag({ name: 'iptables-forward-rules', default: true, help: 'forward rules' }),
    port: intFlag({ name: 'healthz-port', help: 'health port' }),
    workers: uintFlag({ name: 'workers', default: 4, help: 'worker count' }),
    ttl: durationFlag({ name: 'subnet-lease-ttl', defaultMs: 86_400_000, help: 'lease TTL' }),
    ifaces: stringListFlag({ name: 'iface', help: 'interface to use\n(may be repeated)' }),
    verbosity: intFlag({ name: 'v', valueName: 'level', help: 'log level' }),
    quiet: boolFlag({ name: 'q', help: 'quiet' }),
    margin: customFlag<number>({
      name: 'renew-margin',
      default: 60,
      valueName: 'minutes',
      help: 'renew margin',
      parse: (text) => {
        const n = Number(text);
        if (!Number.isInteger(n) || text.trim() === '') throw new Error('want whole minutes');
        return n;
      },
      describeDefault: (value) => String(value),
    }),
    logDir: ignoredFlag({ name: 'log_dir', isBool: false, help: 'ignored' }),
    logToStderr: ignoredFlag({ name: 'logtostderr', isBool: true, help: 'ignored', hidden: true }),
    version: boolFlag({ name: 'version', help: 'print version', fromEnv: false }),
  };
}
