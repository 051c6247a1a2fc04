#include "datapath.h"

#include <netinet/in.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

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

}  // namespace

Outcome Datapath::Open(const std::string& nameTemplate, bool offloads) {
  if (tun_ >= 0) return Outcome::Fail(EISCONN, "open", tunName_);
  TunDevice tun;
  const Outcome opened = OpenTun(nameTemplate, offloads, &tun, &offloadProblem_);
  if (!opened.ok()) return opened;
  tun_ = tun.fd;
  tunName_ = tun.name;
  // For ICMP answers (icmp.h); without CAP_NET_RAW they go into the TUN.
  raw_ = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_RAW);
  features_.vnetHeader = tun.vnetHeader;
  return Outcome{};
}

Outcome Datapath::Bind(uint32_t address, uint16_t port, int bufferBytes) {
  if (tun_ < 0) return Outcome::Fail(EBADF, "bind", "the datapath (open the TUN first)");
  if (running_) return Outcome::Fail(EBUSY, "bind", "the datapath (stop it first)");
  CloseFd(&udp_);
  UdpSocket socket;
  const Outcome opened = OpenUdp(address, port, bufferBytes, &socket, &offloadProblem_);
  if (!opened.ok()) return opened;
  udp_ = socket.fd;
  port_ = port;
  // Also on the plain path: consecutive equal-size packets to one peer leave as one GSO message
  // and arrive as one GRO message (split again here), one skb through the kernel instead of
  // dozens; the wire still carries one packet per datagram (the kernel segments it).
  features_.gso = socket.gso;
  features_.gro = socket.gro;
  return Outcome{};
}

Outcome Datapath::Start(uint32_t tunAddress, size_t mtu) {
  if (running_) return Outcome::Fail(EBUSY, "start", tunName_);
  if (tun_ < 0 || udp_ < 0) return Outcome::Fail(EBADF, "start", "the datapath (open and bind it first)");
  stop_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_ < 0) return Outcome::Fail(errno, "eventfd", tunName_);
  stopping_.store(false);
  failure_.Clear();
  tunAddress_.store(tunAddress);

  context_ = LoopContext{};
  context_.tun = tun_;
  context_.udp = udp_;
  context_.stop = stop_;
  context_.raw = raw_;
  context_.stopping = &stopping_;
  context_.counters = &counters_;
  context_.peers = &peers_;
  context_.tunAddress = &tunAddress_;
  context_.icmp = &icmp_;
  context_.failure = &failure_;
  context_.vnetHeader = features_.vnetHeader;
  context_.gso = features_.gso;
  context_.gro = features_.gro;
  context_.port = port_;
  context_.mtu = mtu;

  tx_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "udp-tun-to-udp");
    RunTunToUdp(context_);
  });
  rx_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "udp-udp-to-tun");
    RunUdpToTun(context_);
  });
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
  tx_.join();
  rx_.join();
  CloseFd(&stop_);
  running_ = false;
}

void Datapath::Close() {
  Stop();
  CloseFd(&udp_);
  CloseFd(&raw_);
  CloseFd(&tun_);
}

void Datapath::SetPeers(const std::vector<PeerRoute>& routes) {
  auto table = std::make_shared<const PeerTable>(routes);
  peerCount_ = table->size();
  peers_.Replace(std::move(table));
  icmp_.store(true, std::memory_order_relaxed);
}

}  // namespace udpdp
