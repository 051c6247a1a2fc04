// esbuild plugin for Google's Compute client in an ESM bundle:
// - each @google-cloud/compute client loads protos.json, the descriptors of the whole Compute API
//   (12 MB): bundled as is, it makes the gce backend a 15 MB file that needs ~110 MiB and 0.4 s just
//   to start. Keep only the services libs/gce uses (GceApi's clients) and the messages they reach;
//   the clients look up nothing else.
// - google-gax computes its gRPC proto directory from __dirname when loaded, which an ESM bundle
//   lacks; we use the REST transport, which never reads that directory, so it gets a placeholder.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const GAX_PROTO_DIR = "path.join(__dirname, '..', '..', 'build', 'protos')";

/** Must list every client GceApi (libs/gce/src/gce-api.ts) creates. */
const SERVICES = ['Routes', 'Networks', 'Instances', 'GlobalOperations'].map((s) => `google.cloud.compute.v1.${s}`);

export function googleCloudPlugin(root) {
  const require = createRequire(`${root}/package.json`);
  return {
    name: 'google-cloud',
    setup(build) {
      build.onLoad({ filter: /[\\/]@google-cloud[\\/]compute[\\/]build[\\/]protos[\\/]protos\.json$/ }, async (args) => {
        const protobuf = require('protobufjs');
        const full = protobuf.Root.fromJSON(JSON.parse(await readFile(args.path, 'utf8')));
        full.resolveAll();
        return { contents: JSON.stringify(prune(protobuf, full)), loader: 'json' };
      });
      build.onLoad({ filter: /[\\/]google-gax[\\/]build[\\/]src[\\/]grpc\.js$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!source.includes(GAX_PROTO_DIR)) {
          throw new Error(`google-cloud: ${args.path} no longer finds its protos as expected; update tools/build/google-cloud-plugin.mjs`);
        }
        return { contents: source.replace(GAX_PROTO_DIR, "'/google-gax-grpc-protos-are-not-bundled'"), loader: 'js' };
      });
    },
  };
}

function prune(protobuf, full) {
  const kept = new Set();
  const visit = (obj) => {
    if (!obj || kept.has(obj)) return;
    kept.add(obj);
    // A nested message goes out inside its parent, so the parent and all it holds are needed.
    if (obj.parent instanceof protobuf.Type) visit(obj.parent);
    if (obj instanceof protobuf.Type) {
      for (const field of obj.fieldsArray) visit(field.resolvedType);
      for (const nested of obj.nestedArray) visit(nested);
    }
  };
  for (const name of SERVICES) {
    const service = full.lookupService(name);
    kept.add(service);
    for (const method of service.methodsArray) {
      visit(method.resolvedRequestType);
      visit(method.resolvedResponseType);
    }
  }
  const out = { nested: {} };
  for (const obj of kept) {
    if (obj.parent instanceof protobuf.Type) continue;
    const path = obj.fullName.slice(1).split('.');
    let scope = out;
    for (const part of path.slice(0, -1)) {
      scope.nested[part] ??= { nested: {} };
      scope = scope.nested[part];
    }
    scope.nested[path.at(-1)] = obj.toJSON();
  }
  for (const name of SERVICES) {
    if (!protobuf.Root.fromJSON(out).lookupService(name)) throw new Error(`google-cloud: lost ${name} while pruning`);
  }
  return out;
}
