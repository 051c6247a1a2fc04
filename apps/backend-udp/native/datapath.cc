#include "datapath.h"

#include <netinet/in.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "flow-steering.h"
#include "rx-loop.h"
#include "tun-device.h"
#include "tx-loop.h"
#include "udp-socket.h"

namespace udpdp {

namespace {

void CloseFd(int* fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

void CloseAll(std::vector<int>* fds) {
  for (int& fd : *fds) CloseFd(&fd);
  fds->clear();
}

// The port a socket is bound to (the kernel's pick when asked for 0).
uint16_t BoundPort(int fd, uint16_t asked) {
  sockaddr_in addr{};
  socklen_t length = sizeof(addr);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) < 0) return asked;
  return ntohs(addr.sin_port);
}

// SO_REUSEPORT would let a second datapath (ours, as root) join the group and take a share of the
// traffic: a plain bind first claims the port alone, failing like an ordinary bind would when it
// is taken; the group binds right after it closes.
Outcome ClaimPort(uint32_t address, uint16_t port, uint16_t* bound) {
  UdpSocket probe;
  std::string ignored;
  const Outcome claimed = OpenUdp(address, port, 0, false, &probe, &ignored);
  if (!claimed.ok()) return claimed;
  *bound = BoundPort(probe.fd, port);
  close(probe.fd);
  return Outcome{};
}

std::string Describe(const Outcome& failed) { return failed.syscall + ": " + std::strerror(failed.error); }

}  // namespace

Outcome Datapath::Open(const std::string& nameTemplate, bool offloads, size_t queues) {
  if (!tun_.empty()) return Outcome::Fail(EISCONN, "open", tunName_);
  TunDevice tun;
  const Outcome opened = OpenTun(nameTemplate, queues == 0 ? DefaultTunQueues() : queues, offloads, &tun, &offloadProblem_);
  if (!opened.ok()) return opened;
  tun_ = tun.fds;
  tunName_ = tun.name;
  // For ICMP answers (icmp.h); without CAP_NET_RAW they go into the TUN.
  raw_ = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_RAW);
  features_.vnetHeader = tun.vnetHeader;
  queueReads_ = std::make_unique<std::atomic<uint64_t>[]>(tun_.size());
  steeringProblem_.clear();
  if (tun_.size() > 1) AttachSteering();
  return Outcome{};
}

// Best effort: without the program the kernel's flow table chooses (every flow to one peer on one
// queue), which costs spreading, not function.
void Datapath::AttachSteering() {
  int program = -1;
  Outcome done = LoadFlowSteering(&program);
  if (done.ok()) done = AttachFlowSteering(tun_[0], program);
  if (done.ok()) {
    steeringProgram_ = program;
    return;
  }
  if (program >= 0) close(program);
  steeringProblem_ = Describe(done);
}

std::vector<uint64_t> Datapath::QueueReads() const {
  std::vector<uint64_t> reads(tun_.size());
  for (size_t i = 0; i < reads.size(); i++) reads[i] = queueReads_[i].load(std::memory_order_relaxed);
  return reads;
}

bool Datapath::RunSteering(const uint8_t* packet, size_t length, uint32_t* result) const {
  return steeringProgram_ >= 0 && RunFlowSteering(steeringProgram_, packet, length, result).ok();
}

Outcome Datapath::Bind(uint32_t address, uint16_t port, int bufferBytes) {
  if (tun_.empty()) return Outcome::Fail(EBADF, "bind", "the datapath (open the TUN first)");
  if (running_) return Outcome::Fail(EBUSY, "bind", "the datapath (stop it first)");
  CloseAll(&udp_);
  const bool group = tun_.size() > 1;
  if (group) {
    const Outcome claimed = ClaimPort(address, port, &port);
    if (!claimed.ok()) return claimed;
  }
  // Also on the plain path: consecutive equal-size packets to one peer leave as one GSO message
  // and arrive as one GRO message (split again here), one skb through the kernel instead of
  // dozens; the wire still carries one packet per datagram (the kernel segments it).
  features_.gso = features_.gro = true;
  for (size_t i = 0; i < tun_.size(); i++) {
    UdpSocket socket;
    const Outcome opened = OpenUdp(address, port, bufferBytes, group, &socket, &offloadProblem_);
    if (!opened.ok()) {
      CloseAll(&udp_);
      return opened;
    }
    udp_.push_back(socket.fd);
    features_.gso = features_.gso && socket.gso;
    features_.gro = features_.gro && socket.gro;
  }
  port_ = port;
  return Outcome{};
}

Outcome Datapath::Start(uint32_t tunAddress, size_t mtu) {
  if (running_) return Outcome::Fail(EBUSY, "start", tunName_);
  if (tun_.empty() || udp_.size() != tun_.size()) return Outcome::Fail(EBADF, "start", "the datapath (open and bind it first)");
  stop_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_ < 0) return Outcome::Fail(errno, "eventfd", tunName_);
  stopping_.store(false);
  failure_.Clear();
  tunAddress_.store(tunAddress);

  contexts_.assign(tun_.size(), LoopContext{});
  for (size_t i = 0; i < tun_.size(); i++) {
    LoopContext& context = contexts_[i];
    context.tun = tun_[i];
    context.udp = udp_[i];
    context.stop = stop_;
    context.raw = raw_;
    context.stopping = &stopping_;
    context.counters = &counters_;
    context.peers = &peers_;
    context.tunAddress = &tunAddress_;
    context.icmp = &icmp_;
    context.failure = &failure_;
    context.queueReads = &queueReads_[i];
    context.vnetHeader = features_.vnetHeader;
    context.gso = features_.gso;
    context.gro = features_.gro;
    context.port = port_;
    context.mtu = mtu;
  }
  threads_.reserve(2 * contexts_.size());
  for (size_t i = 0; i < contexts_.size(); i++) {
    const LoopContext* context = &contexts_[i];
    // Thread names (15 characters at most) carry the queue: udp-tx-0, udp-rx-0, ...
    const std::string suffix = std::to_string(i);
    threads_.emplace_back([context, suffix] {
      pthread_setname_np(pthread_self(), ("udp-tx-" + suffix).c_str());
      RunTunToUdp(*context);
    });
    threads_.emplace_back([context, suffix] {
      pthread_setname_np(pthread_self(), ("udp-rx-" + suffix).c_str());
      RunUdpToTun(*context);
    });
  }
  running_ = true;
  return Outcome{};
}

void Datapath::Stop() {
  if (!running_) return;
  stopping_.store(true);
  const uint64_t one = 1;
  ssize_t written;
  do {
    written = write(stop_, &one, sizeof(one));
  } while (written < 0 && errno == EINTR);
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
  CloseFd(&stop_);
  running_ = false;
}

void Datapath::Close() {
  Stop();
  CloseAll(&udp_);
  CloseFd(&raw_);
  CloseFd(&steeringProgram_);
  CloseAll(&tun_);
}

void Datapath::SetPeers(const std::vector<PeerRoute>& routes) {
  auto table = std::make_shared<const PeerTable>(routes);
  peerCount_ = table->size();
  peers_.Replace(std::move(table));
  icmp_.store(true, std::memory_order_relaxed);
}

}  // namespace udpdp
