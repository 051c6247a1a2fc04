// tcp-segmenter.h: a TCP/IPv4 super-packet (TSO from the TUN) cut into ordinary segments.
//
// Each segment gets a copy of the headers with its own IP total length, IP id (+1 per segment,
// as the kernel's TSO does), sequence number, flags (CWR on the first only, FIN/PSH on the last
// only) and complete IP and TCP checksums. Payload stays where it was read: emit() receives the
// rebuilt headers and a pointer into the super-packet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "checksum.h"
#include "fixed-array.h"
#include "ipv4.h"

namespace udpdp {

// Room for segment headers, refilled once per send batch.
class HeaderArena {
 public:
  static constexpr size_t kSlot = 128;  // ≥ 60 + 60 bytes of headers, cache-line aligned

  explicit HeaderArena(size_t slots) : bytes_(slots * kSlot), slots_(slots) {}
  void Reset() { used_ = 0; }
  size_t free_slots() const { return slots_ - used_; }
  uint8_t* Take() { return used_ < slots_ ? &bytes_[kSlot * used_++] : nullptr; }

 private:
  FixedArray<uint8_t> bytes_;
  size_t slots_;
  size_t used_ = 0;
};

// How many segments SegmentTcp makes of `packet`, or 0 when it is not a TCP/IPv4 packet it can cut.
inline size_t TcpSegmentCount(const uint8_t* packet, size_t length, size_t mss) {
  if (mss == 0 || length < kIpHeaderMin || packet[kIpProtocol] != kProtoTcp) return 0;
  const size_t ihl = IpHeaderLength(packet);
  if (ihl < kIpHeaderMin || length < ihl + kTcpHeaderMin) return 0;
  const size_t thl = TcpHeaderLength(packet + ihl);
  if (thl < kTcpHeaderMin || length < ihl + thl) return 0;
  const size_t payload = length - ihl - thl;
  return payload == 0 ? 1 : (payload + mss - 1) / mss;
}

// Cuts `packet` (its TTL already final) into segments of at most `mss` payload bytes and calls
// emit(headers, headerLength, payload, payloadLength) for each, in order. The caller checked
// TcpSegmentCount() > 0 and that `arena` has that many slots free.
template <typename Emit>
void SegmentTcp(const uint8_t* packet, size_t length, size_t mss, HeaderArena* arena, Emit&& emit) {
  const size_t ihl = IpHeaderLength(packet);
  const size_t thl = TcpHeaderLength(packet + ihl);
  const size_t headers = ihl + thl;
  const size_t payload = length - headers;
  const size_t count = payload == 0 ? 1 : (payload + mss - 1) / mss;
  const uint32_t seq = LoadBe32(packet + ihl + kTcpSeq);
  const uint16_t id = LoadBe16(packet + kIpId);
  const uint8_t flags = packet[ihl + kTcpFlags];
  const uint8_t* data = packet + headers;

  for (size_t i = 0; i < count; i++) {
    const size_t offset = i * mss;
    const size_t size = payload - offset < mss ? payload - offset : mss;
    uint8_t* h = arena->Take();
    std::memcpy(h, packet, headers);
    StoreBe16(h + kIpTotalLength, static_cast<uint16_t>(headers + size));
    StoreBe16(h + kIpId, static_cast<uint16_t>(id + i));
    SetIpHeaderChecksum(h);

    uint8_t* tcp = h + ihl;
    StoreBe32(tcp + kTcpSeq, seq + static_cast<uint32_t>(offset));
    uint8_t f = flags;
    if (i > 0) f &= static_cast<uint8_t>(~kTcpCwr);
    if (i + 1 < count) f &= static_cast<uint8_t>(~(kTcpFin | kTcpPsh));
    tcp[kTcpFlags] = f;
    Store16(tcp + kTcpChecksum, 0);
    uint64_t sum = PseudoHeaderSum(h, kProtoTcp, static_cast<uint32_t>(thl + size));
    sum = SumBytes(tcp, thl, sum);
    sum = SumBytes(data + offset, size, sum);
    Store16(tcp + kTcpChecksum, static_cast<uint16_t>(~Fold(sum)));
    emit(static_cast<const uint8_t*>(h), headers, data + offset, size);
  }
}

}  // namespace udpdp
