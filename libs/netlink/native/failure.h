// failure.h: how a netlink request ended, and its conversion into a JS Error.
#pragma once

#include <napi.h>

#include <string>

namespace netlink {

struct Outcome {
  int errnum = 0;      // a positive errno; 0 means success
  std::string detail;  // the kernel's extended-ack text, or libnl's own description; may be ""
  bool dumpInterrupted = false;

  bool ok() const { return errnum == 0; }
};

// From a negative libnl error code (-NLE_EXIST ...), mapped back to the errno it stands for.
Outcome FromLibnl(int nlerr);
Outcome FromErrno(int err, std::string detail = "");

// "File exists" or "Invalid argument (Nexthop has invalid gateway)"; the TS facade prefixes what
// was being done ("adding route 10.244.3.0/24 via 192.0.2.12 dev eth0: ...").
std::string Describe(const Outcome& outcome);

// An Error with `code` ("EEXIST"), `errno` (negative, as Node's own), `syscall` ("netlink").
Napi::Object ErrorObject(Napi::Env env, const Outcome& outcome);
Napi::Value Throw(Napi::Env env, const Outcome& outcome);

}  // namespace netlink
