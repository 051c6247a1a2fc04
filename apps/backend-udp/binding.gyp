# Built by `nx run backend-udp:build` (project.json): node-gyp rebuild --nodedir=<the installed node>,
# then the bundle. The packet loop is plain C++ (no Node types below addon.cc), so
# native/harness/ can build it alone for callgrind.
{
  'targets': [
    {
      'target_name': 'udp_datapath',
      'sources': [
        'native/addon.cc',
        'native/counters.cc',
        'native/datapath.cc',
        'native/flow-steering.cc',
        'native/icmp.cc',
        'native/peer-table.cc',
        'native/rx-loop.cc',
        'native/rx-processor.cc',
        'native/send-batch.cc',
        'native/tcp-coalescer.cc',
        'native/tun-device.cc',
        'native/tx-loop.cc',
        'native/tx-processor.cc',
        'native/udp-socket.cc',
      ],
      # node-addon-api's "noexcept" target: NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS and -fno-exceptions.
      'dependencies': ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api"],
      'defines': ['NAPI_VERSION=8'],
      # errno-error.h, the errno → Error mapping every addon shares.
      'include_dirs': ['../../libs/native-addon/native'],
      'cflags_cc': ['-std=c++17', '-O2', '-Wall', '-Wextra', '-Werror', '-pthread'],
      'ldflags': ['-pthread'],
    },
  ],
}
