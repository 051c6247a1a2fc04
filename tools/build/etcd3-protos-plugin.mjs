// esbuild plugin: etcd3 parses its .proto files with @grpc/proto-loader every time it is loaded
// (~30 ms of flanneld's start-up). Parse them once at build time and hand proto-loader the
// resulting JSON descriptor instead (its documented fromJSON entry point).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const LOAD_CALL = '(0, proto_loader_1.loadSync)(`${__dirname}/../proto/rpc.proto`, {';

export function etcd3ProtosPlugin(root) {
  const require = createRequire(`${root}/package.json`);
  return {
    name: 'etcd3-protos',
    setup(build) {
      build.onLoad({ filter: /[\\/]etcd3[\\/]lib[\\/]connection-pool\.js$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!source.includes(LOAD_CALL)) {
          throw new Error(`etcd3-protos: ${args.path} no longer loads its protos as expected; update tools/build/etcd3-protos-plugin.mjs`);
        }
        const protobuf = require('protobufjs');
        const protoRoot = new protobuf.Root();
        protoRoot.loadSync(require.resolve('etcd3/proto/rpc.proto'), { keepCase: true });
        const json = JSON.stringify(protoRoot.toJSON());
        return { contents: source.replace(LOAD_CALL, `(0, proto_loader_1.fromJSON)(${json}, {`), loader: 'js' };
      });
    },
  };
}
