// esbuild plugin: @grpc/proto-loader builds reflection data for every message of a package when it
// loads it (descriptor protos, encoded file descriptors, and protobufjs's descriptor extension
// loaded at require): ~30 ms of flanneld's start-up for etcd's protos, used only by gRPC reflection,
// which flannel never asks for. Build it on first access instead; the definitions carry the same
// fields.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

const EAGER = [
  [
    `const descriptor = require("protobufjs/ext/descriptor");`,
    // The extension also adds toDescriptor() to protobufjs's classes: load it before any call.
    `let descriptorExtension;
const descriptor = () => (descriptorExtension ??= require("protobufjs/ext/descriptor"));`,
  ],
  ['descriptor.FileDescriptorSet.decode(', 'descriptor().FileDescriptorSet.decode('],
  ['descriptor.FileDescriptorSet.fromObject(', 'descriptor().FileDescriptorSet.fromObject('],
  [
    `function createMessageDefinition(message, fileDescriptors) {
    const messageDescriptor = message.toDescriptor('proto3');
    return {
        format: 'Protocol Buffer 3 DescriptorProto',
        type: messageDescriptor.$type.toObject(messageDescriptor, descriptorOptions),
        fileDescriptorProtos: fileDescriptors,
    };
}`,
    `function createMessageDefinition(message, fileDescriptors) {
    let type;
    return {
        format: 'Protocol Buffer 3 DescriptorProto',
        get type() {
            descriptor();
            const messageDescriptor = message.toDescriptor('proto3');
            return (type ??= messageDescriptor.$type.toObject(messageDescriptor, descriptorOptions));
        },
        get fileDescriptorProtos() { return fileDescriptors(); },
    };
}`,
  ],
  [
    `function createEnumDefinition(enumType, fileDescriptors) {
    const enumDescriptor = enumType.toDescriptor('proto3');
    return {
        format: 'Protocol Buffer 3 EnumDescriptorProto',
        type: enumDescriptor.$type.toObject(enumDescriptor, descriptorOptions),
        fileDescriptorProtos: fileDescriptors,
    };
}`,
    `function createEnumDefinition(enumType, fileDescriptors) {
    let type;
    return {
        format: 'Protocol Buffer 3 EnumDescriptorProto',
        get type() {
            descriptor();
            const enumDescriptor = enumType.toDescriptor('proto3');
            return (type ??= enumDescriptor.$type.toObject(enumDescriptor, descriptorOptions));
        },
        get fileDescriptorProtos() { return fileDescriptors(); },
    };
}`,
  ],
  [
    `    const descriptorList = root.toDescriptor('proto3').file;
    const bufferList = descriptorList.map(value => Buffer.from(descriptor.FileDescriptorProto.encode(value).finish()));
    for (const [name, obj] of getAllHandledReflectionObjects(root, '')) {
        def[name] = createDefinition(obj, name, options, bufferList);
    }`,
    `    let bufferList;
    const fileDescriptors = () => (bufferList ??= (descriptor(), root.toDescriptor('proto3').file.map(value => Buffer.from(descriptor().FileDescriptorProto.encode(value).finish()))));
    for (const [name, obj] of getAllHandledReflectionObjects(root, '')) {
        def[name] = createDefinition(obj, name, options, fileDescriptors);
    }`,
  ],
];

export function protoLoaderPlugin(root) {
  // The copy etcd3 loads its protos with must match; other copies (gRPC's own, for channelz) are
  // patched when they match and left alone otherwise.
  const require = createRequire(`${root}/package.json`);
  const etcd3Copy = require.resolve('@grpc/proto-loader', { paths: [path.dirname(require.resolve('etcd3'))] });
  return {
    name: 'proto-loader-lazy-reflection',
    setup(build) {
      build.onLoad({ filter: /[\\/]@grpc[\\/]proto-loader[\\/]build[\\/]src[\\/]index\.js$/ }, async (args) => {
        const original = await readFile(args.path, 'utf8');
        if (!EAGER.every(([eager]) => original.includes(eager))) {
          if (args.path !== etcd3Copy) return undefined;
          throw new Error(`proto-loader: ${args.path} no longer builds its definitions as expected; update tools/build/proto-loader-plugin.mjs`);
        }
        const source = EAGER.reduce((text, [eager, lazy]) => text.replace(eager, lazy), original);
        return { contents: source, loader: 'js' };
      });
    },
  };
}
