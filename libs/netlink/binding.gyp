# Built by `nx run netlink:build` (project.json): node-gyp rebuild --nodedir=<the installed node>.
# Uses libnl-3's core (sockets, messages, attributes, acks and dumps; Debian libnl-3-dev, which
# libnl-route-3-dev pulls in). Requests are built and replies parsed in native/, field by field, so
# they mean exactly what iproute2's do (README.md says why libnl-route's objects are not used).
{
  'targets': [
    {
      'target_name': 'netlink',
      'sources': [
        'native/netlink.cc',
        'native/args.cc',
        'native/failure.cc',
        'native/socket.cc',
        'native/records.cc',
        'native/requests.cc',
        'native/to-js.cc',
        'native/subscription.cc',
      ],
      # node-addon-api's "noexcept" target: NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS and -fno-exceptions.
      'dependencies': ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api"],
      'defines': ['NAPI_VERSION=8'],
      # libnl-3, and errno-error.h (the errno → Error mapping every addon shares).
      'include_dirs': ['/usr/include/libnl3', '../native-addon/native'],
      'libraries': ['-lnl-3'],
      'cflags_cc': ['-std=c++17', '-Wall', '-Wextra', '-Werror', '-pthread'],
      'ldflags': ['-pthread'],
    },
  ],
}
