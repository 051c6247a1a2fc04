# Built by `nx run sys:build` (project.json): node-gyp rebuild --nodedir=<the installed node>.
{
  'targets': [
    {
      'target_name': 'sys',
      'sources': ['native/sys.cc'],
      # node-addon-api's "noexcept" target: NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS and -fno-exceptions.
      'dependencies': ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api"],
      'defines': ['NAPI_VERSION=8'],
      # errno-error.h, the errno → Error mapping every addon shares.
      'include_dirs': ['../native-addon/native'],
      'cflags_cc': ['-std=c++17', '-Wall', '-Wextra', '-Werror'],
    },
  ],
}
