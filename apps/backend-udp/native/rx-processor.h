// rx-processor.h: datagrams from peers → packets for the TUN (no system calls but the sink's).
//
// Every datagram must be exactly one IPv4 packet (flannel's udp wire format); anything else is dropped and counted.
// A GRO message (several datagrams of `segmentSize` bytes, the last maybe shorter) is split
// first. With a virtio header, runs of one TCP flow are merged (TcpCoalescer); everything else is
// written as it came, TTL − 1.
#pragma once

#include <cstddef>
#include <cstdint>

#include "counters.h"
#include "ipv4.h"
#include "tcp-coalescer.h"
#include "tun-sink.h"
#include "vnet-header.h"

namespace udpdp {

class RxProcessor {
 public:
  RxProcessor(TunSink* sink, bool vnetHeader, size_t maxPacket, LocalCounters* counters)
      : sink_(sink), vnetHeader_(vnetHeader), maxPacket_(maxPacket), counters_(counters) {}

  // One received message of `length` bytes; `segmentSize` is the GRO segment size (or `length`).
  // The buffer must stay untouched until EndBatch().
  void HandleMessage(uint8_t* data, size_t length, size_t segmentSize);
  // Writes what is still held back (a run being merged).
  void EndBatch() { FlushRun(); }

 private:
  void HandlePacket(uint8_t* packet, size_t length);
  void WriteSingle(uint8_t* packet, size_t length);
  void FlushRun();
  void Write(const iovec* pieces, int count, size_t bytes, size_t segments);

  TunSink* sink_;
  bool vnetHeader_;
  size_t maxPacket_;
  LocalCounters* counters_;
  TcpCoalescer run_;
  virtio_net_hdr plainHeader_{};
};

}  // namespace udpdp
