#include "rx-loop.h"

#include <netinet/udp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "fixed-array.h"
#include "rx-processor.h"

namespace udpdp {

namespace {

constexpr size_t kGroSlots = 16;    // 64 KiB GRO messages per batch
constexpr size_t kPlainSlots = 64;  // datagrams per batch

struct Control {
  alignas(cmsghdr) char bytes[CMSG_SPACE(sizeof(int))];
};

size_t GroSegmentSize(msghdr* msg) {
  for (cmsghdr* cm = CMSG_FIRSTHDR(msg); cm != nullptr; cm = CMSG_NXTHDR(msg, cm)) {
    if (cm->cmsg_level == SOL_UDP && cm->cmsg_type == UDP_GRO) {
      int size;
      std::memcpy(&size, CMSG_DATA(cm), sizeof(size));
      return size > 0 ? static_cast<size_t>(size) : 0;
    }
  }
  return 0;
}

bool IsFatal(int error) { return error == EBADF || error == ENOTSOCK || error == EINVAL || error == EFAULT; }

}  // namespace

void RunUdpToTun(const LoopContext& ctx) {
  const size_t slots = ctx.gro ? kGroSlots : kPlainSlots;
  // A page is resident only once a packet has been read into it.
  FixedArray<uint8_t> buffers(slots * kPacketBuffer);
  std::vector<iovec> iov(slots);
  std::vector<Control> controls(slots);
  std::vector<mmsghdr> msgs(slots);
  for (size_t i = 0; i < slots; i++) iov[i] = iovec{&buffers[i * kPacketBuffer], kPacketBuffer};
  LocalCounters counters;
  FdSink sink(ctx.tun);
  RxProcessor processor(&sink, ctx.vnetHeader, ctx.mtu, &counters);

  while (!ctx.stopping->load(std::memory_order_relaxed)) {
    for (size_t i = 0; i < slots; i++) {
      msghdr& msg = msgs[i].msg_hdr;
      std::memset(&msg, 0, sizeof(msg));
      msg.msg_iov = &iov[i];
      msg.msg_iovlen = 1;
      if (ctx.gro) {
        msg.msg_control = controls[i].bytes;
        msg.msg_controllen = sizeof(controls[i].bytes);
      }
    }
    const int got = recvmmsg(ctx.udp, msgs.data(), static_cast<unsigned>(slots), MSG_DONTWAIT, nullptr);
    if (got < 0) {
      const int error = errno;
      if (error == EINTR) continue;
      if (error == EAGAIN || error == EWOULDBLOCK) {
        if (!WaitFor(ctx, ctx.udp, POLLIN)) break;
        continue;
      }
      if (IsFatal(error)) {
        ctx.failure->Set(std::string("receiving from the UDP socket: ") + std::strerror(error));
        return;
      }
      counters.Add(k_receiveErrors);
      ctx.counters->Publish(&counters);
      if (!WaitFor(ctx, ctx.udp, POLLIN, 10)) break;  // no busy loop on a persistent error
      continue;
    }
    counters.Add(k_receiveBatches);
    for (int i = 0; i < got; i++) {
      msghdr& msg = msgs[i].msg_hdr;
      const size_t length = msgs[i].msg_len;
      if ((msg.msg_flags & MSG_TRUNC) != 0) {
        counters.Add(k_udpReceivedDatagrams);
        counters.Add(k_udpReceivedBytes, length);
        counters.Add(k_dropTooLarge);
        continue;
      }
      const size_t segment = ctx.gro ? GroSegmentSize(&msg) : 0;
      processor.HandleMessage(static_cast<uint8_t*>(iov[i].iov_base), length, segment);
    }
    processor.EndBatch();
    ctx.counters->Publish(&counters);
  }
  ctx.counters->Publish(&counters);
}

}  // namespace udpdp
