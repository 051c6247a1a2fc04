// sys.cc: the few system calls Node lacks, for flanneld and its backends.
//
//   sdNotify(socketPath, message)      sendto(2) on an AF_UNIX datagram socket (systemd's NOTIFY_SOCKET);
//                                      "@name" means the abstract name "\0name".
//   flock(fd, mode, wait) -> boolean   flock(2); false when !wait and someone else holds the lock.
//   setParentDeathSignal(signal)       prctl(PR_SET_PDEATHSIG, signal).
//
// Arguments are primitives; the typed facade is src/index.ts (raw typing: src/native.d.ts).
// A failing call throws an Error with `code` ("ENOENT"), `errno` (negative, as Node's own),
// `syscall`, and a message naming what it acted on. Built without C++ exceptions
// (node-addon-api's noexcept target): every error path throws into JS and returns at once.
// Descriptors we create are close-on-exec, so they never leak into child processes.

#include <malloc.h>
#include <v8.h>
#include <napi.h>

#include "errno-error.h"

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>

#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

// Throws the errno Error (errno-error.h) and gives the binding its return value.
Napi::Value ThrowErrno(Napi::Env env, int err, const char* syscall, const std::string& target) {
  native_addon::ThrowErrno(env, err, syscall, target);
  return env.Undefined();
}

Napi::Value ThrowTypeError(Napi::Env env, const std::string& message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
}

// sdNotify(socketPath: string, message: string): undefined
Napi::Value SdNotify(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString()) {
    return ThrowTypeError(env, "sdNotify(socketPath: string, message: string)");
  }
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  const std::string message = info[1].As<Napi::String>().Utf8Value();

  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const bool abstract = !path.empty() && path[0] == '@';
  // A path name needs its terminating NUL inside sun_path; an abstract name is counted by length.
  const size_t room = sizeof(addr.sun_path) - (abstract ? 0 : 1);
  if (path.empty() || path.size() > room) return ThrowErrno(env, ENAMETOOLONG, "sendto", path);
  if (!abstract && path.find('\0') != std::string::npos) return ThrowErrno(env, EINVAL, "sendto", path);
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (abstract) addr.sun_path[0] = '\0';
  const socklen_t addrLen =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + (abstract ? 0 : 1));

  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ThrowErrno(env, errno, "socket", path);
  // MSG_DONTWAIT: never stall the event loop on a receiver whose queue is full; that is reported
  // (EAGAIN) instead. MSG_NOSIGNAL: no SIGPIPE.
  ssize_t sent;
  do {
    sent = sendto(fd, message.data(), message.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
                  reinterpret_cast<const sockaddr*>(&addr), addrLen);
  } while (sent < 0 && errno == EINTR);
  const int sendErrno = errno;
  close(fd);
  if (sent < 0) return ThrowErrno(env, sendErrno, "sendto", path);
  return env.Undefined();
}

// flock(fd: number, mode: 'exclusive' | 'shared' | 'unlock', wait: boolean): boolean
Napi::Value Flock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsString() || !info[2].IsBoolean()) {
    return ThrowTypeError(env, "flock(fd: number, mode: string, wait: boolean)");
  }
  const int fd = info[0].As<Napi::Number>().Int32Value();
  const std::string mode = info[1].As<Napi::String>().Utf8Value();
  const bool wait = info[2].As<Napi::Boolean>().Value();

  int operation;
  if (mode == "exclusive") {
    operation = LOCK_EX;
  } else if (mode == "shared") {
    operation = LOCK_SH;
  } else if (mode == "unlock") {
    operation = LOCK_UN;
  } else {
    return ThrowTypeError(env, "flock mode must be 'exclusive', 'shared' or 'unlock', got '" + mode + "'");
  }
  if (!wait) operation |= LOCK_NB;

  int rc;
  do {
    rc = flock(fd, operation);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    if (!wait && errno == EWOULDBLOCK) return Napi::Boolean::New(env, false);
    return ThrowErrno(env, errno, "flock", "fd " + std::to_string(fd));
  }
  return Napi::Boolean::New(env, true);
}

// setParentDeathSignal(signal: number): undefined
Napi::Value SetParentDeathSignal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    return ThrowTypeError(env, "setParentDeathSignal(signal: number)");
  }
  const int signal = info[0].As<Napi::Number>().Int32Value();
  if (prctl(PR_SET_PDEATHSIG, static_cast<unsigned long>(signal), 0UL, 0UL, 0UL) < 0) {
    return ThrowErrno(env, errno, "prctl", "PR_SET_PDEATHSIG " + std::to_string(signal));
  }
  return env.Undefined();
}

// lowMemory(): undefined. V8's full, compacting collections until nothing more is freed (it returns
// the pages it frees to the OS), then malloc_trim: what a burst of work (thousands of kernel entries
// at a join) left behind. MemoryPressureNotification(kCritical) takes half the time but left
// 0.6–0.9 MiB more resident at 1,000 peers.
Napi::Value LowMemory(const Napi::CallbackInfo& info) {
  v8::Isolate::GetCurrent()->LowMemoryNotification();
  malloc_trim(0);
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("lowMemory", Napi::Function::New(env, LowMemory, "lowMemory"));
  exports.Set("sdNotify", Napi::Function::New(env, SdNotify, "sdNotify"));
  exports.Set("flock", Napi::Function::New(env, Flock, "flock"));
  exports.Set("setParentDeathSignal", Napi::Function::New(env, SetParentDeathSignal, "setParentDeathSignal"));
  return exports;
}

}  // namespace

NODE_API_MODULE(sys, Init)
