// esbuild plugin: grpc-js asks net.isIPv6 about every resolved address (to format it, to order the
// pick-first list). The first call compiles Node's IPv6 regular expression: ~8 ms on flanneld's
// path to its first etcd answer, for addresses that are IPv4 nearly always. An IPv6 literal always
// contains ':', so a string without one is answered at once; the rest still goes to net.isIPv6.
import { readFile } from 'node:fs/promises';

const CALL = '(0, net_1.isIPv6)(';
const SHORT_CIRCUIT = "((host) => (typeof host === 'string' && !host.includes(':') ? false : (0, net_1.isIPv6)(host)))(";
/** Files on the way to the first answer: the address formatter and the pick-first balancer. */
const MUST_PATCH = /[\\/]@grpc[\\/]grpc-js[\\/]build[\\/]src[\\/](subchannel-address|load-balancer-pick-first)\.js$/;

export function grpcIpv6Plugin() {
  return {
    name: 'grpc-ipv6-short-circuit',
    setup(build) {
      build.onLoad({ filter: /[\\/]@grpc[\\/]grpc-js[\\/]build[\\/]src[\\/][^\\/]+\.js$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!source.includes(CALL)) {
          if (MUST_PATCH.test(args.path)) throw new Error(`grpc-js: ${args.path} no longer calls net.isIPv6 as expected; update tools/build/grpc-ipv6-plugin.mjs`);
          return undefined;
        }
        return { contents: source.replaceAll(CALL, SHORT_CIRCUIT), loader: 'js' };
      });
    },
  };
}
