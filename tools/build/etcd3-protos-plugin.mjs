// esbuild plugin: etcd3 parses its .proto files with @grpc/proto-loader every time it is loaded
// (~30 ms of flanneld's start-up). Parse them once at build time and hand proto-loader the
// resulting JSON descriptor instead (its documented fromJSON entry point), cut to the calls flannel
// makes and the messages they carry (36 of etcd's 101 message types are built at each start).
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
        const json = JSON.stringify(usedDescriptors(require('protobufjs'), require.resolve('etcd3/proto/rpc.proto')));
        return { contents: source.replace(LOAD_CALL, `(0, proto_loader_1.fromJSON)(${json}, {`), loader: 'js' };
      });
    },
  };
}

/**
 * etcd's gRPC methods flannel calls (through etcd3: a call etcd3 could make that is not listed fails
 * with "not a function"; the tests exercise every one of these).
 */
const USED_METHODS = {
  KV: ['Range', 'Put', 'DeleteRange', 'Txn', 'Compact'],
  Watch: ['Watch'],
  Lease: ['LeaseGrant', 'LeaseRevoke', 'LeaseKeepAlive', 'LeaseTimeToLive', 'LeaseLeases'],
  // etcd3 asks for a token with the username and password.
  Auth: ['Authenticate'],
};

/** The JSON descriptor of `protoFile` with only USED_METHODS and the message types they reach. */
function usedDescriptors(protobuf, protoFile) {
  const root = new protobuf.Root();
  root.loadSync(protoFile, { keepCase: true });
  root.resolveAll();
  const reached = new Set();
  const reach = (type) => {
    if (reached.has(type)) return;
    reached.add(type);
    for (const field of type.fieldsArray) if (field.resolvedType instanceof protobuf.Type) reach(field.resolvedType);
    for (const nested of type.nestedArray) if (nested instanceof protobuf.Type) reach(nested);
  };
  const pkg = root.lookup('etcdserverpb');
  for (const service of pkg.nestedArray.filter((n) => n instanceof protobuf.Service)) {
    const keep = USED_METHODS[service.name] ?? [];
    for (const name of Object.keys(service.methods)) {
      if (!keep.includes(name)) service.remove(service.methods[name]);
    }
    for (const name of keep) {
      const method = service.methods[name];
      if (!method) throw new Error(`etcd3-protos: etcd's ${service.name} service has no ${name} any more; update tools/build/etcd3-protos-plugin.mjs`);
      reach(method.resolvedRequestType);
      reach(method.resolvedResponseType);
    }
    if (keep.length === 0) pkg.remove(service);
  }
  const prune = (namespace) => {
    for (const nested of [...namespace.nestedArray]) {
      if (nested instanceof protobuf.Type) {
        if (!reached.has(nested) && !isInside(nested, reached)) namespace.remove(nested);
      } else if (nested instanceof protobuf.Namespace && !(nested instanceof protobuf.Service)) prune(nested);
    }
  };
  prune(root);
  return root.toJSON();
}

/** Whether `type` is nested in a reached type (its parent keeps it). */
function isInside(type, reached) {
  for (let parent = type.parent; parent; parent = parent.parent) if (reached.has(parent)) return true;
  return false;
}
