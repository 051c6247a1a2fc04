// etcd3 and gRPC are the largest part of flanneld's start-up: etcd-registry.ts imports this module
// dynamically, so the bundles load them only when etcd is first used (their own chunk). Static
// namespace imports give the packages' named exports under every loader (Node, tsx, esbuild).
import * as etcd3 from 'etcd3';
import * as grpc from '@grpc/grpc-js';

export { etcd3, grpc };
