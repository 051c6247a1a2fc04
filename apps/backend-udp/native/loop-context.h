// loop-context.h: what the two packet threads share with the Datapath that runs them.
#pragma once

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>

#include "counters.h"
#include "icmp.h"
#include "peer-table.h"
#include "tun-sink.h"
#include "vnet-header.h"

namespace udpdp {

// The first fatal error of a packet thread, for JS to report (the thread has stopped).
class FailureSlot {
 public:
  void Set(const std::string& message) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (message_.empty()) message_ = message;
  }
  std::string Get() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return message_;
  }
  void Clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    message_.clear();
  }

 private:
  mutable std::mutex mutex_;
  std::string message_;
};

struct LoopContext {
  int tun = -1;
  int udp = -1;
  int stop = -1;  // eventfd, readable once stopping
  int raw = -1;   // IPPROTO_RAW socket for ICMP answers; -1: write them into the TUN
  const std::atomic<bool>* stopping = nullptr;
  Counters* counters = nullptr;
  const PeerTables* peers = nullptr;
  const std::atomic<uint32_t>* tunAddress = nullptr;
  const std::atomic<bool>* icmp = nullptr;
  FailureSlot* failure = nullptr;
  std::atomic<uint64_t>* queueReads = nullptr;  // this queue's TUN reads
  bool vnetHeader = false;
  bool gso = false;
  bool gro = false;
  uint16_t port = 0;
  size_t mtu = 0;
};

// Waits until `fd` has `events` or the stop eventfd fires or `timeoutMs` passes (-1: no limit).
// Returns false when stopping.
inline bool WaitFor(const LoopContext& ctx, int fd, short events, int timeoutMs = -1) {
  pollfd fds[2] = {{fd, events, 0}, {ctx.stop, POLLIN, 0}};
  while (poll(fds, 2, timeoutMs) < 0) {
    if (errno != EINTR) return !ctx.stopping->load(std::memory_order_relaxed);
  }
  return fds[1].revents == 0 && !ctx.stopping->load(std::memory_order_relaxed);
}

// Writes packets to the TUN descriptor.
class FdSink : public TunSink {
 public:
  explicit FdSink(int fd) : fd_(fd) {}
  ssize_t Write(const iovec* pieces, int count) override {
    ssize_t written;
    do {
      written = writev(fd_, pieces, count);
    } while (written < 0 && errno == EINTR);
    if (written < 0) lastError_ = errno;
    return written;
  }
  int last_error() const { return lastError_; }

 private:
  int fd_;
  int lastError_ = 0;
};

// Sends a complete IPv4 packet from the host's stack (IPPROTO_RAW: the header is ours).
class RawSocketSink : public PacketSink {
 public:
  explicit RawSocketSink(int fd) : fd_(fd) {}
  bool Send(const uint8_t* packet, size_t length) override {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    std::memcpy(&to.sin_addr, packet + 16, 4);
    return sendto(fd_, packet, length, MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&to), sizeof(to)) >= 0;
  }

 private:
  int fd_;
};

// Writes a packet into the TUN (with an empty virtio header when the TUN has them).
class TunPacketSink : public PacketSink {
 public:
  TunPacketSink(int fd, bool vnetHeader) : sink_(fd), vnetHeader_(vnetHeader) {}
  bool Send(const uint8_t* packet, size_t length) override {
    virtio_net_hdr none{};
    iovec pieces[2];
    int count = 0;
    if (vnetHeader_) pieces[count++] = iovec{&none, sizeof(none)};
    pieces[count++] = iovec{const_cast<uint8_t*>(packet), length};
    return sink_.Write(pieces, count) >= 0;
  }

 private:
  FdSink sink_;
  bool vnetHeader_;
};

// Room for one packet from the TUN (a 64 KiB super-packet with its virtio header) or one GRO
// message from the socket.
constexpr size_t kPacketBuffer = 65536 + 64;

}  // namespace udpdp
