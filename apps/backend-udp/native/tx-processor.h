// tx-processor.h: packets read from the TUN → datagrams for peers (no system calls but the
// ICMP sink's).
//
// Each packet: checked, TTL − 1 (dropped at 0), its destination looked up in the peer table and
// added to the send batch. With a virtio header, a TCP super-packet is cut into segments
// (tcp-segmenter.h) and a packet with a partial checksum gets it completed first. A destination
// no peer carries is answered with ICMP network unreachable written back into the TUN
// (rate-limited; not before the first peer table, when "unknown" only means "not told yet";
// icmp.h says how it gets there).
#pragma once

#include <cstddef>
#include <cstdint>

#include "counters.h"
#include "icmp.h"
#include "peer-table.h"
#include "send-batch.h"
#include "tcp-segmenter.h"
#include "tun-sink.h"
#include "vnet-header.h"

namespace udpdp {

class TxProcessor {
 public:
  // Room a batch must have before the next read: a 64 KiB super-packet of minimum-MSS segments.
  static constexpr size_t kMaxSegments = 768;

  TxProcessor(SendBatch* batch, HeaderArena* arena, PacketSink* icmpSink, bool vnetHeader, uint16_t port, LocalCounters* counters)
      : batch_(batch), arena_(arena), icmpSink_(icmpSink), vnetHeader_(vnetHeader), port_(port), counters_(counters) {}

  void set_table(const PeerTable* table) {
    table_ = table;
    lastPeer_ = 0;  // forget the cached lookup
  }
  void set_tun_address(uint32_t address) { tunAddress_ = address; }
  void set_icmp(bool enabled) { icmp_ = enabled; }

  // Whether one more read of any size is sure to fit in the batch.
  bool HasRoom() const {
    return batch_->HasRoom(kMaxSegments, 2 * kMaxSegments) && arena_->free_slots() >= kMaxSegments;
  }
  // One read from the TUN: the virtio header (when the TUN has one) and the packet. `data` must
  // stay untouched until the batch is sent.
  void HandleRead(uint8_t* data, size_t length);

 private:
  void HandlePacket(uint8_t* packet, size_t length, size_t mss);
  bool CompleteChecksum(uint8_t* packet, size_t length, const virtio_net_hdr& vnet);
  void Unreachable(const uint8_t* packet, size_t length);

  SendBatch* batch_;
  HeaderArena* arena_;
  PacketSink* icmpSink_;
  bool vnetHeader_;
  uint16_t port_;
  LocalCounters* counters_;
  const PeerTable* table_ = nullptr;
  uint32_t tunAddress_ = 0;
  bool icmp_ = false;
  RateLimiter icmpLimit_{100};
  uint32_t lastDestination_ = 0;
  uint32_t lastPeer_ = 0;
};

}  // namespace udpdp
