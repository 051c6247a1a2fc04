// failure.cc: errno names and messages for netlink failures.

#include "failure.h"

#include "errno-error.h"

#include <netlink/errno.h>

#include <cerrno>
#include <cstring>

namespace netlink {

namespace {

// libnl folds errno values into its own NLE_* codes (nl_syserr2nlerr). Kernel replies never take
// this path (socket.cc records the kernel's errno itself); it covers libnl's own failures.
int ErrnoOfLibnl(int nle) {
  switch (nle) {
    case NLE_INTR: return EINTR;
    case NLE_BAD_SOCK: return EBADF;
    case NLE_AGAIN: return EAGAIN;
    case NLE_NOMEM: return ENOBUFS;  // ENOMEM and ENOBUFS both land here; for sockets it is ENOBUFS
    case NLE_EXIST: return EEXIST;
    case NLE_INVAL: return EINVAL;
    case NLE_RANGE: return ERANGE;
    case NLE_MSGSIZE: return EMSGSIZE;
    case NLE_OPNOTSUPP: return EOPNOTSUPP;
    case NLE_AF_NOSUPPORT: return EAFNOSUPPORT;
    case NLE_OBJ_NOTFOUND: return ENOENT;
    case NLE_NOATTR: return ENOENT;
    case NLE_MISSING_ATTR: return EINVAL;
    case NLE_AF_MISMATCH: return EINVAL;
    case NLE_SEQ_MISMATCH: return EPROTO;
    case NLE_MSG_OVERFLOW: return ENOBUFS;
    case NLE_MSG_TRUNC: return EMSGSIZE;
    case NLE_NOADDR: return EADDRNOTAVAIL;
    case NLE_SRCRT_NOSUPPORT: return EOPNOTSUPP;
    case NLE_MSG_TOOSHORT: return EPROTO;
    case NLE_MSGTYPE_NOSUPPORT: return EOPNOTSUPP;
    case NLE_OBJ_MISMATCH: return EINVAL;
    case NLE_BUSY: return EBUSY;
    case NLE_PROTO_MISMATCH: return EPROTONOSUPPORT;
    case NLE_NOACCESS: return EACCES;
    case NLE_PERM: return EPERM;
    case NLE_NODEV: return ENODEV;
    case NLE_IMMUTABLE: return EPERM;
    case NLE_DUMP_INTR: return EINTR;
    case NLE_ATTRSIZE: return EINVAL;
    default: return EIO;
  }
}

}  // namespace

Outcome FromLibnl(int nlerr) {
  const int nle = nlerr < 0 ? -nlerr : nlerr;
  Outcome outcome;
  outcome.errnum = ErrnoOfLibnl(nle);
  outcome.detail = std::string("libnl: ") + nl_geterror(nle);
  return outcome;
}

Outcome FromErrno(int err, std::string detail) {
  Outcome outcome;
  outcome.errnum = err;
  outcome.detail = std::move(detail);
  return outcome;
}

std::string Describe(const Outcome& outcome) {
  std::string text = std::strerror(outcome.errnum);
  if (!outcome.detail.empty()) text += " (" + outcome.detail + ")";
  return text;
}

Napi::Object ErrorObject(Napi::Env env, const Outcome& outcome) {
  return native_addon::ErrnoError(env, outcome.errnum, "netlink", Describe(outcome));
}

Napi::Value Throw(Napi::Env env, const Outcome& outcome) {
  Napi::Error(env, ErrorObject(env, outcome)).ThrowAsJavaScriptException();
  return env.Undefined();
}

}  // namespace netlink
