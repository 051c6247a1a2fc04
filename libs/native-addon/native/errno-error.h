// errno-error.h: the one errno → JS Error mapping every addon of the project uses (header-only;
// each binding.gyp adds this directory to include_dirs). The Error looks like Node's own: `code`
// ("ENOENT"), `errno` (negative), `syscall`. Built without C++ exceptions: the Throw functions
// schedule the JS exception and the caller returns at once.
#pragma once

#include <napi.h>

#include <cctype>
#include <cstring>
#include <string>

namespace native_addon {

// "ENOENT"; a number glibc has no name for (it knows all of them since 2.32) stays readable.
inline std::string ErrnoCode(int err) {
  const char* name = strerrorname_np(err);
  return name != nullptr ? name : "ERRNO_" + std::to_string(err);
}

// Node's message style: "ENOENT: no such file or directory, sendto '/run/systemd/notify'".
inline std::string NodeStyleMessage(int err, const std::string& syscall, const std::string& target) {
  std::string description = std::strerror(err);
  if (!description.empty()) description[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(description[0])));
  return ErrnoCode(err) + ": " + description + ", " + syscall + " '" + target + "'";
}

// An Error carrying `message` and the errno as Node reports it.
inline Napi::Object ErrnoError(Napi::Env env, int err, const std::string& syscall, const std::string& message) {
  Napi::Object error = Napi::Error::New(env, message).Value();
  error.Set("code", ErrnoCode(err));
  error.Set("errno", -err);
  error.Set("syscall", syscall);
  return error;
}

// Throws ErrnoError with Node's message style, naming what the call acted on.
inline void ThrowErrno(Napi::Env env, int err, const std::string& syscall, const std::string& target) {
  Napi::Error(env, ErrnoError(env, err, syscall, NodeStyleMessage(err, syscall, target))).ThrowAsJavaScriptException();
}

}  // namespace native_addon
