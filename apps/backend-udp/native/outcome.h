// outcome.h: a system call's failure, for an errno Error in JS.
#pragma once

#include <string>

namespace udpdp {

struct Outcome {
  int error = 0;         // errno; 0 means success
  std::string syscall;   // e.g. "ioctl(TUNSETIFF)"
  std::string target;    // what it acted on, e.g. "/dev/net/tun flannel%d"

  bool ok() const { return error == 0; }
  static Outcome Fail(int error, std::string syscall, std::string target) { return Outcome{error, std::move(syscall), std::move(target)}; }
};

}  // namespace udpdp
