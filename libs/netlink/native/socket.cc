// socket.cc: request/ack and dump exchanges, kernel errno capture, interrupted-dump retry.

#include "socket.h"

#include <fcntl.h>
#include <netlink/attr.h>
#include <netlink/netlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <linux/netlink.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace netlink {

namespace {

constexpr int kDumpAttempts = 5;
// A safety net only: the kernel answers a request on a local socket in micro- to milliseconds.
constexpr time_t kReplyTimeoutSeconds = 30;

std::atomic<uint64_t> dumpRetries{0};

struct CbDeleter {
  void operator()(nl_cb* cb) const { nl_cb_put(cb); }
};
using CbPtr = std::unique_ptr<nl_cb, CbDeleter>;

struct Exchange {
  const OnReply* onReply = nullptr;
  bool done = false;
  bool interrupted = false;
  Outcome outcome;
};

// The extended-ack TLVs follow the nlmsgerr (and, unless the kernel capped it, the echoed request).
std::string ExtendedAckText(const nlmsgerr* err) {
  const auto* nlh = reinterpret_cast<const nlmsghdr*>(reinterpret_cast<const char*>(err) - NLMSG_HDRLEN);
  if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) == 0) return "";
  size_t offset = NLMSG_HDRLEN + sizeof(nlmsgerr);
  if ((nlh->nlmsg_flags & NLM_F_CAPPED) == 0) offset += NLMSG_ALIGN(err->msg.nlmsg_len - NLMSG_HDRLEN);
  if (offset >= nlh->nlmsg_len) return "";
  nlattr* tb[NLMSGERR_ATTR_MAX + 1] = {};
  auto* attrs = reinterpret_cast<nlattr*>(const_cast<char*>(reinterpret_cast<const char*>(nlh)) + offset);
  if (nla_parse(tb, NLMSGERR_ATTR_MAX, attrs, static_cast<int>(nlh->nlmsg_len - offset), nullptr) < 0) return "";
  const nlattr* msg = tb[NLMSGERR_ATTR_MSG];
  if (msg == nullptr || nla_len(msg) <= 0) return "";
  const auto* text = static_cast<const char*>(nla_data(msg));
  return std::string(text, strnlen(text, static_cast<size_t>(nla_len(msg))));
}

int OnValid(nl_msg* msg, void* arg) {
  auto* ex = static_cast<Exchange*>(arg);
  if (*ex->onReply) (*ex->onReply)(nlmsg_hdr(msg));
  return NL_OK;
}

int OnEnd(nl_msg* msg, void* arg) {  // the ack of a request, or NLMSG_DONE of a dump
  auto* ex = static_cast<Exchange*>(arg);
  ex->done = true;
  // A dump that fails part-way reports its errno in the NLMSG_DONE payload.
  const nlmsghdr* nlh = nlmsg_hdr(msg);
  if (nlh->nlmsg_type == NLMSG_DONE && nlmsg_datalen(nlh) >= static_cast<int>(sizeof(int))) {
    int status;
    std::memcpy(&status, nlmsg_data(nlh), sizeof(status));
    if (status < 0) ex->outcome = FromErrno(-status, "dump failed");
  }
  return NL_STOP;
}

int OnDumpInterrupted(nl_msg*, void* arg) {
  static_cast<Exchange*>(arg)->interrupted = true;
  return NL_OK;  // keep reading to NLMSG_DONE so the socket is drained
}

// libnl would turn the kernel's errno into an NLE_* code and lose it (ENETUNREACH becomes
// NLE_FAILURE); keep the kernel's own value and its explanation.
int OnError(sockaddr_nl*, nlmsgerr* err, void* arg) {
  auto* ex = static_cast<Exchange*>(arg);
  ex->outcome = FromErrno(-err->error, ExtendedAckText(err));
  ex->done = true;
  return NL_STOP;
}

// `finished`: the exchange ran to its last reply, so the socket holds nothing more for it.
Outcome Run(nl_sock* sk, nl_msg* msg, const OnReply& onReply, bool* finished) {
  CbPtr cb(nl_cb_alloc(NL_CB_DEFAULT));
  if (!cb) return FromErrno(ENOMEM);
  Exchange ex;
  ex.onReply = &onReply;
  nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, OnValid, &ex);
  nl_cb_set(cb.get(), NL_CB_FINISH, NL_CB_CUSTOM, OnEnd, &ex);
  nl_cb_set(cb.get(), NL_CB_ACK, NL_CB_CUSTOM, OnEnd, &ex);
  nl_cb_set(cb.get(), NL_CB_DUMP_INTR, NL_CB_CUSTOM, OnDumpInterrupted, &ex);
  nl_cb_err(cb.get(), NL_CB_CUSTOM, OnError, &ex);

  const int sent = nl_send_auto(sk, msg);  // adds NLM_F_REQUEST | NLM_F_ACK, port and sequence
  if (sent < 0) return FromLibnl(sent);
  while (!ex.done) {
    const int received = nl_recvmsgs_report(sk, cb.get());
    if (!ex.outcome.ok()) {
      *finished = ex.done;  // the kernel's error reply ends the exchange
      return ex.outcome;
    }
    if (received == -NLE_DUMP_INTR) {
      ex.interrupted = true;
      break;
    }
    // SO_RCVTIMEO expired (libnl reports it as 0 or -NLE_AGAIN, depending on its version).
    if (received == 0 || received == -NLE_AGAIN) return FromErrno(ETIMEDOUT, "no reply from the kernel");
    if (received < 0) return FromLibnl(received);
  }
  *finished = !ex.interrupted;
  if (ex.interrupted) {
    Outcome outcome = FromErrno(EINTR, "dump interrupted by a concurrent change");
    outcome.dumpInterrupted = true;
    return outcome;
  }
  return ex.outcome;
}

}  // namespace

Outcome OpenRouteSocket(SockPtr* out) {
  SockPtr sk(nl_socket_alloc());
  if (!sk) return FromErrno(ENOMEM);
  errno = 0;
  const int rc = nl_connect(sk.get(), NETLINK_ROUTE);
  if (rc < 0) {
    const int saved = errno;
    Outcome outcome = FromLibnl(rc);
    if (outcome.errnum == EIO && saved != 0) outcome = FromErrno(saved, "connecting a netlink socket");
    return outcome;
  }
  const int fd = nl_socket_get_fd(sk.get());
  // libnl 3.7 already opens with SOCK_CLOEXEC; older releases did not, and an inherited netlink
  // socket keeps its port and group memberships alive in every child (iptables, ...).
  const int fdFlags = fcntl(fd, F_GETFD);
  if (fdFlags < 0 || fcntl(fd, F_SETFD, fdFlags | FD_CLOEXEC) < 0) return FromErrno(errno, "fcntl FD_CLOEXEC");
  const int on = 1;
  // Best effort (kernels >= 4.12 / 4.3): the kernel's explanation of a refusal, without an echo of
  // our request in the error.
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &on, sizeof(on));
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &on, sizeof(on));
  nl_socket_enable_msg_peek(sk.get());  // size each read to the datagram: dump batches exceed a page
  *out = std::move(sk);
  return Outcome{};
}

Outcome Request(MsgPtr msg, const OnReply& onReply) {
  if (!msg) return FromErrno(ENOMEM);
  // Opening and closing a socket costs more than the request itself (thousands of routes at a
  // join), so each thread keeps one.
  thread_local SockPtr sk;
  if (!sk) {
    Outcome opened = OpenRouteSocket(&sk);
    if (!opened.ok()) return opened;
    const timeval timeout{kReplyTimeoutSeconds, 0};
    setsockopt(nl_socket_get_fd(sk.get()), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  }
  // Peeking costs a second recvmsg per reply; a change's only reply is its ack, small enough for
  // libnl's default buffer: 5,000 neighbour replaces 75–105 → 61–64 ms.
  if (onReply) {
    nl_socket_enable_msg_peek(sk.get());
  } else {
    nl_socket_disable_msg_peek(sk.get());
  }
  bool finished = false;
  Outcome outcome = Run(sk.get(), msg.get(), onReply, &finished);
  // An exchange cut short (timeout, interrupted dump, a libnl error) may leave replies behind,
  // which must never be read as the next request's: that one gets a new socket.
  if (!finished) sk.reset();
  return outcome;
}

Outcome Dump(int type, const void* hdr, size_t hdrLen, const OnReply& onReply, const std::function<void()>& restart) {
  // The kernel flags a dump NLM_F_DUMP_INTR when the table changed between two of its reply
  // batches (say a route added while 2,000 were being listed): the listing may miss or repeat
  // entries. Nothing repairs that but asking again; a dump takes milliseconds, so a few tries do.
  for (int attempt = 1;; attempt++) {
    restart();
    MsgPtr msg(nlmsg_alloc_simple(type, NLM_F_DUMP));
    if (msg && nlmsg_append(msg.get(), const_cast<void*>(hdr), hdrLen, NLMSG_ALIGNTO) < 0) msg.reset();
    Outcome outcome = Request(std::move(msg), onReply);
    if (!outcome.dumpInterrupted) return outcome;
    if (attempt == kDumpAttempts) {
      return FromErrno(EINTR, "dump interrupted by concurrent changes " + std::to_string(kDumpAttempts) + " times in a row");
    }
    dumpRetries.fetch_add(1, std::memory_order_relaxed);
  }
}

uint64_t DumpRetries() { return dumpRetries.load(std::memory_order_relaxed); }

}  // namespace netlink
