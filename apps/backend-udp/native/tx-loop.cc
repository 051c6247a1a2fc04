#include "tx-loop.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "fixed-array.h"
#include "send-batch.h"
#include "tcp-segmenter.h"
#include "tx-processor.h"

namespace udpdp {

namespace {

constexpr size_t kOffloadSlots = 16;  // 64 KiB super-packets per batch
constexpr size_t kPlainSlots = 64;    // packets per batch
constexpr size_t kMaxMessages = 2048;
constexpr size_t kMaxPieces = 4096;
constexpr int kSendStallMs = 1000;  // a socket that stays full this long loses the message

class Sender {
 public:
  Sender(const LoopContext& ctx, SendBatch* batch, LocalCounters* counters) : ctx_(ctx), batch_(batch), counters_(counters) {}

  // Sends the batch; false when stopping.
  bool Flush() {
    const size_t total = batch_->size();
    if (total == 0) return true;
    mmsghdr* msgs = batch_->Finish();
    counters_->Add(k_sendBatches);
    size_t done = 0;
    while (done < total) {
      const int sent = sendmmsg(ctx_.udp, msgs + done, static_cast<unsigned>(total - done), 0);
      if (sent > 0) {
        for (size_t i = done; i < done + static_cast<size_t>(sent); i++) Account(i);
        done += static_cast<size_t>(sent);
        continue;
      }
      const int error = errno;
      if (error == EINTR) continue;
      if (error == EAGAIN || error == EWOULDBLOCK) {
        if (ctx_.stopping->load(std::memory_order_relaxed)) return false;
        if (WaitFor(ctx_, ctx_.udp, POLLOUT, kSendStallMs)) continue;
        if (ctx_.stopping->load(std::memory_order_relaxed)) return false;
      } else if (batch_->DatagramCount(done) > 1 && (error == EIO || error == EINVAL || error == EMSGSIZE)) {
        // The route's device cannot take UDP GSO (no checksum offload, say): no more of it.
        counters_->Add(k_gsoFallbacks);
        batch_->set_gso(false);
        SendOneByOne(done);
        done++;
        continue;
      }
      counters_->Add(k_dropSendError, batch_->DatagramCount(done));
      done++;
    }
    return true;
  }

 private:
  void Account(size_t message) {
    const size_t datagrams = batch_->DatagramCount(message);
    counters_->Add(k_udpSentDatagrams, datagrams);
    counters_->Add(k_udpSentBytes, batch_->ByteCount(message));
    if (datagrams > 1) counters_->Add(k_gsoMessages);
  }

  void SendOneByOne(size_t message) {
    for (const auto& [first, count] : batch_->DatagramsOf(message)) {
      msghdr msg{};
      msg.msg_name = const_cast<sockaddr_in*>(batch_->AddressOf(message));
      msg.msg_namelen = sizeof(sockaddr_in);
      msg.msg_iov = const_cast<iovec*>(batch_->pieces() + first);
      msg.msg_iovlen = count;
      ssize_t sent;
      do {
        sent = sendmsg(ctx_.udp, &msg, 0);
      } while (sent < 0 && errno == EINTR);
      if (sent < 0) {
        counters_->Add(k_dropSendError);
      } else {
        counters_->Add(k_udpSentDatagrams);
        counters_->Add(k_udpSentBytes, static_cast<uint64_t>(sent));
      }
    }
  }

  const LoopContext& ctx_;
  SendBatch* batch_;
  LocalCounters* counters_;
};

}  // namespace

void RunTunToUdp(const LoopContext& ctx) {
  const size_t slots = ctx.vnetHeader ? kOffloadSlots : kPlainSlots;
  // A page is resident only once a packet has been read into it.
  FixedArray<uint8_t> buffers(slots * kPacketBuffer);
  SendBatch batch(kMaxMessages, kMaxPieces);
  batch.set_gso(ctx.gso);
  HeaderArena arena(kMaxPieces / 2);
  LocalCounters counters;
  RawSocketSink rawSink(ctx.raw);
  TunPacketSink tunSink(ctx.tun, ctx.vnetHeader);
  PacketSink* icmpSink = ctx.raw >= 0 ? static_cast<PacketSink*>(&rawSink) : &tunSink;
  TxProcessor processor(&batch, &arena, icmpSink, ctx.vnetHeader, ctx.port, &counters);
  Sender sender(ctx, &batch, &counters);
  std::shared_ptr<const PeerTable> table;
  uint64_t generation = ~uint64_t{0};

  while (!ctx.stopping->load(std::memory_order_relaxed)) {
    const PeerTable* before = table.get();
    ctx.peers->Refresh(&table, &generation);
    if (table.get() != before) processor.set_table(table.get());
    processor.set_tun_address(ctx.tunAddress->load(std::memory_order_relaxed));
    processor.set_icmp(ctx.icmp->load(std::memory_order_relaxed));
    batch.Reset();
    arena.Reset();

    bool empty = false;
    size_t reads = 0;
    for (size_t slot = 0; slot < slots && processor.HasRoom();) {
      uint8_t* buffer = &buffers[slot * kPacketBuffer];
      const ssize_t got = read(ctx.tun, buffer, kPacketBuffer);
      if (got < 0) {
        const int error = errno;
        if (error == EINTR) continue;
        if (error == EAGAIN || error == EWOULDBLOCK) {
          empty = true;
          break;
        }
        ctx.failure->Set(std::string("reading the TUN device: ") + std::strerror(error));
        return;
      }
      processor.HandleRead(buffer, static_cast<size_t>(got));
      slot++;
      reads++;
    }
    if (reads > 0) ctx.queueReads->fetch_add(reads, std::memory_order_relaxed);
    if (!sender.Flush()) break;
    ctx.counters->Publish(&counters);
    if (empty && !WaitFor(ctx, ctx.tun, POLLIN)) break;
  }
  ctx.counters->Publish(&counters);
}

}  // namespace udpdp
