// subscription.cc: the listener thread and its JS object.

#include "subscription.h"

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/rtnetlink.h>

#include <cerrno>
#include <cstddef>
#include <string>
#include <vector>

#include "args.h"
#include "socket.h"
#include "to-js.h"

namespace netlink {

namespace {

// Room for bursts (a reconcile pass replacing thousands of routes) before the kernel drops
// notifications; SO_RCVBUFFORCE needs CAP_NET_ADMIN, SO_RCVBUF is capped by net.core.rmem_max.
constexpr int kReceiveBuffer = 8 << 20;
constexpr size_t kMaxBatch = 512;

bool GroupOf(const std::string& name, int* group) {
  if (name == "link") *group = RTNLGRP_LINK;
  else if (name == "addr") *group = RTNLGRP_IPV4_IFADDR;
  else if (name == "route") *group = RTNLGRP_IPV4_ROUTE;
  else if (name == "neigh") *group = RTNLGRP_NEIGH;
  else return false;
  return true;
}

// Adds the notification in `nlh` to `batch`; anything else (IPv6, cache clones) is skipped.
void Collect(nlmsghdr* nlh, EventBatch* batch) {
  EventRecord event;
  switch (nlh->nlmsg_type) {
    case RTM_NEWLINK:
    case RTM_DELLINK:
      event.kind = EventRecord::Kind::Link;
      if (!ParseLink(nlh, &event.link)) return;
      break;
    case RTM_NEWADDR:
    case RTM_DELADDR:
      event.kind = EventRecord::Kind::Addr;
      if (!ParseAddr(nlh, &event.addr)) return;
      break;
    case RTM_NEWROUTE:
    case RTM_DELROUTE:
      event.kind = EventRecord::Kind::Route;
      if (!ParseRoute(nlh, &event.route) || event.route.cloned) return;
      break;
    case RTM_NEWNEIGH:
    case RTM_DELNEIGH:
      event.kind = EventRecord::Kind::Neigh;
      if (!ParseNeigh(nlh, &event.neigh)) return;
      break;
    default:
      return;
  }
  event.added = nlh->nlmsg_type == RTM_NEWLINK || nlh->nlmsg_type == RTM_NEWADDR || nlh->nlmsg_type == RTM_NEWROUTE ||
                nlh->nlmsg_type == RTM_NEWNEIGH;
  batch->push_back(std::move(event));
}

int OnNotification(nl_msg* msg, void* arg) {
  Collect(nlmsg_hdr(msg), *static_cast<EventBatch**>(arg));
  return NL_OK;
}

int AcceptAnySequence(nl_msg*, void*) { return NL_OK; }  // notifications carry sequence number 0

// A socket filter that lets only deletions through: the kernel drops the others before they are
// queued, so a pass adding thousands of entries does not wake this thread thousands of times.
// nlmsg_type is in host byte order and BPF loads in network order, hence htons.
Outcome AcceptOnlyDeletions(int fd) {
  sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_H | BPF_ABS, offsetof(nlmsghdr, nlmsg_type)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htons(RTM_DELLINK), 4, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htons(RTM_DELADDR), 3, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htons(RTM_DELROUTE), 2, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htons(RTM_DELNEIGH), 1, 0),
      BPF_STMT(BPF_RET | BPF_K, 0),           // drop
      BPF_STMT(BPF_RET | BPF_K, 0xffffffff),  // keep, whole
  };
  sock_fprog program{static_cast<unsigned short>(sizeof(code) / sizeof(code[0])), code};
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof(program)) < 0) return FromErrno(errno, "SO_ATTACH_FILTER");
  return Outcome{};
}

struct CbDeleter {
  void operator()(nl_cb* cb) const { nl_cb_put(cb); }
};

}  // namespace

// The thread's half: the notification socket, the stop eventfd and the loop between them.
class Listener {
 public:
  Listener() = default;
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  ~Listener() {
    if (stopFd_ >= 0) close(stopFd_);
  }

  Outcome Open(const std::vector<int>& groups, bool deletionsOnly) {
    Outcome opened = OpenRouteSocket(&sock_);
    if (!opened.ok()) return opened;
    nl_sock* sk = sock_.get();
    for (int group : groups) {
      const int rc = nl_socket_add_membership(sk, group);
      if (rc < 0) return FromLibnl(rc);
    }
    const int fd = nl_socket_get_fd(sk);
    if (deletionsOnly) {
      Outcome filtered = AcceptOnlyDeletions(fd);
      if (!filtered.ok()) return filtered;
    }
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer, sizeof(kReceiveBuffer)) < 0) {
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof(kReceiveBuffer));
    }
    const int rc = nl_socket_set_nonblocking(sk);
    if (rc < 0) return FromLibnl(rc);
    cb_.reset(nl_cb_alloc(NL_CB_DEFAULT));
    if (!cb_) return FromErrno(ENOMEM);
    nl_cb_set(cb_.get(), NL_CB_VALID, NL_CB_CUSTOM, OnNotification, &batch_);
    nl_cb_set(cb_.get(), NL_CB_SEQ_CHECK, NL_CB_CUSTOM, AcceptAnySequence, nullptr);
    stopFd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (stopFd_ < 0) return FromErrno(errno, "eventfd");
    return Outcome{};
  }

  // On the listener thread until Stop(), or until the socket fails (delivered as an error event).
  // `deliver` returns false when JS can no longer take events.
  template <typename Deliver>
  void Run(const Deliver& deliver) {
    pollfd fds[2] = {{nl_socket_get_fd(sock_.get()), POLLIN, 0}, {stopFd_, POLLIN, 0}};
    for (;;) {
      if (poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        EventBatch failed(1);
        failed[0].kind = EventRecord::Kind::Error;
        failed[0].error = FromErrno(errno, "poll");
        deliver(std::move(failed));
        return;
      }
      if (fds[1].revents != 0) return;
      if (fds[0].revents == 0) continue;
      EventBatch batch;
      const bool healthy = Drain(&batch);
      if (!batch.empty() && !deliver(std::move(batch))) return;
      if (!healthy) return;
    }
  }

  // Any thread: makes Run() return.
  void Stop() {
    const uint64_t one = 1;
    ssize_t written;
    do {
      written = write(stopFd_, &one, sizeof(one));
    } while (written < 0 && errno == EINTR);
  }

 private:
  // Reads what is queued (the socket is non-blocking) into `batch`; false after a fatal error.
  bool Drain(EventBatch* batch) {
    batch_ = batch;
    bool healthy = true;
    while (batch->size() < kMaxBatch) {
      const int rc = nl_recvmsgs_report(sock_.get(), cb_.get());
      if (rc == 0 || rc == -NLE_AGAIN) break;  // nothing more queued (libnl reports EAGAIN either way)
      if (rc == -NLE_NOMEM) {
        // ENOBUFS: the receive queue overflowed and the kernel dropped notifications; the
        // caller must re-list to learn what it missed.
        batch->emplace_back();
        batch->back().kind = EventRecord::Kind::Overflow;
        continue;
      }
      if (rc < 0) {
        batch->emplace_back();
        batch->back().kind = EventRecord::Kind::Error;
        batch->back().error = FromLibnl(rc);
        healthy = false;
        break;
      }
    }
    batch_ = nullptr;
    return healthy;
  }

  SockPtr sock_;
  std::unique_ptr<nl_cb, CbDeleter> cb_;
  int stopFd_ = -1;
  EventBatch* batch_ = nullptr;  // where OnNotification puts events, during Drain()
};

Napi::Function Subscription::Define(Napi::Env env) {
  return DefineClass(env, "Subscription",
                     {
                         InstanceMethod<&Subscription::Close>("close"),
                         InstanceMethod<&Subscription::RefLoop>("ref"),
                         InstanceMethod<&Subscription::UnrefLoop>("unref"),
                     });
}

Subscription::Subscription(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Subscription>(info), env_(info.Env()) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsFunction() || (info.Length() > 2 && !info[2].IsBoolean())) {
    Napi::TypeError::New(env, "netlink: new Subscription(groups: string[], onEvents: function, deletionsOnly?: boolean)")
        .ThrowAsJavaScriptException();
    return;
  }
  const bool deletionsOnly = info.Length() > 2 && info[2].As<Napi::Boolean>().Value();
  Napi::Array names = info[0].As<Napi::Array>();
  std::vector<int> groups;
  for (uint32_t i = 0; i < names.Length(); i++) {
    std::string name;
    int group;
    if (!ReadString(names.Get(i), "group", &name)) return;
    if (!GroupOf(name, &group)) {
      Napi::TypeError::New(env, "netlink: group must be 'link', 'addr', 'route' or 'neigh', got '" + name + "'")
          .ThrowAsJavaScriptException();
      return;
    }
    groups.push_back(group);
  }

  auto listener = std::make_unique<Listener>();
  Outcome opened = listener->Open(groups, deletionsOnly);
  if (!opened.ok()) {
    Throw(env, opened);
    return;
  }
  delivery_ = new Delivery();
  events_ = EventsFunction::New(
      env, info[1].As<Napi::Function>(), "netlink-subscription", 0 /* unbounded queue */, 1 /* this thread */, delivery_,
      [](Napi::Env, void*, Delivery* delivery) { delete delivery; });
  if (env.IsExceptionPending()) {
    delete delivery_;
    delivery_ = nullptr;
    return;
  }
  listener_ = std::move(listener);
  Listener* raw = listener_.get();
  EventsFunction events = events_;
  thread_ = std::thread([raw, events]() {
    raw->Run([&events](EventBatch&& batch) {
      auto owned = std::make_unique<EventBatch>(std::move(batch));
      if (events.NonBlockingCall(owned.get()) != napi_ok) return false;  // closing
      owned.release();  // CallJs owns it now
      return true;
    });
  });
  // Named here rather than by the thread itself, so the name is there as soon as we return.
  pthread_setname_np(thread_.native_handle(), "netlink-events");  // 15 characters at most
  running_ = true;
  Napi::ObjectWrap<Subscription>::Ref();
  selfReferenced_ = true;
  cleanupHookAdded_ = napi_add_env_cleanup_hook(env, &Subscription::OnEnvCleanup, this) == napi_ok;
}

Subscription::~Subscription() { Shutdown(); }

void Subscription::CallJs(Napi::Env env, Napi::Function onEvents, Delivery* delivery, EventBatch* batch) {
  std::unique_ptr<EventBatch> owned(batch);
  if (static_cast<napi_env>(env) == nullptr || onEvents.IsEmpty() || delivery == nullptr || !delivery->open) return;
  onEvents.Call({ToJsArray(env, *owned)});
}

void Subscription::OnEnvCleanup(void* self) {
  auto* subscription = static_cast<Subscription*>(self);
  subscription->cleanupHookAdded_ = false;  // being run; nothing to remove
  subscription->Shutdown();
}

void Subscription::Shutdown() {
  if (!running_) return;
  running_ = false;
  listener_->Stop();
  thread_.join();
  listener_.reset();  // closes the netlink socket and the eventfd
  delivery_->open = false;  // batches still queued are dropped, not delivered
  delivery_ = nullptr;  // the finalizer frees it once the queue is empty
  events_.Release();
  if (cleanupHookAdded_) {
    napi_remove_env_cleanup_hook(env_, &Subscription::OnEnvCleanup, this);
    cleanupHookAdded_ = false;
  }
}

Napi::Value Subscription::Close(const Napi::CallbackInfo& info) {
  Shutdown();
  if (selfReferenced_) {
    selfReferenced_ = false;
    Napi::ObjectWrap<Subscription>::Unref();
  }
  return info.Env().Undefined();
}

Napi::Value Subscription::RefLoop(const Napi::CallbackInfo& info) {
  if (running_) events_.Ref(info.Env());
  return info.Env().Undefined();
}

Napi::Value Subscription::UnrefLoop(const Napi::CallbackInfo& info) {
  if (running_) events_.Unref(info.Env());
  return info.Env().Undefined();
}

}  // namespace netlink
