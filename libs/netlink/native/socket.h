// socket.h: rtnetlink request/reply over libnl-3, one socket per thread.
//
// The socket is reused while exchanges run to their end; one cut short (timeout, interrupted
// dump, libnl error) closes it, so stale replies are never read as the next request's. Every
// socket is close-on-exec and asks the kernel for extended acks, whose text goes into error
// messages.
#pragma once

#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

#include "failure.h"

namespace netlink {

struct SockDeleter {
  void operator()(nl_sock* sk) const { nl_socket_free(sk); }  // closes its fd too
};
struct MsgDeleter {
  void operator()(nl_msg* msg) const { nlmsg_free(msg); }
};
using SockPtr = std::unique_ptr<nl_sock, SockDeleter>;
using MsgPtr = std::unique_ptr<nl_msg, MsgDeleter>;

using OnReply = std::function<void(nlmsghdr*)>;

// A connected NETLINK_ROUTE socket, FD_CLOEXEC set explicitly.
Outcome OpenRouteSocket(SockPtr* out);

// Sends `msg` (a null msg means allocation failed) and reads until the kernel's ack, NLMSG_DONE or
// error; each reply in between goes to onReply. Blocks the calling thread (milliseconds).
Outcome Request(MsgPtr msg, const OnReply& onReply = nullptr);

// Dumps `type` (RTM_GETLINK ...) with family header `hdr`, repeating an interrupted dump; `restart`
// runs before every attempt and must discard what earlier attempts delivered.
Outcome Dump(int type, const void* hdr, size_t hdrLen, const OnReply& onReply, const std::function<void()>& restart);

// How many dumps were repeated because the kernel flagged them interrupted (process-wide).
uint64_t DumpRetries();

}  // namespace netlink
