#include "tx-processor.h"

#include <cstring>

#include "checksum.h"
#include "ipv4.h"

namespace udpdp {

void TxProcessor::HandleRead(uint8_t* data, size_t length) {
  counters_->Add(k_tunReadPackets);
  if (!vnetHeader_) {
    counters_->Add(k_tunReadBytes, length);
    HandlePacket(data, length, 0);
    return;
  }
  if (length < kVnetHeaderSize) {
    counters_->Add(k_dropBadOutbound);
    return;
  }
  virtio_net_hdr vnet;
  std::memcpy(&vnet, data, sizeof(vnet));
  uint8_t* packet = data + kVnetHeaderSize;
  const size_t size = length - kVnetHeaderSize;
  counters_->Add(k_tunReadBytes, size);
  switch (vnet.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
    case VIRTIO_NET_HDR_GSO_NONE:
      if ((vnet.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) != 0 && !CompleteChecksum(packet, size, vnet)) {
        counters_->Add(k_dropBadGso);
        return;
      }
      HandlePacket(packet, size, 0);
      return;
    case VIRTIO_NET_HDR_GSO_TCPV4:
      counters_->Add(k_tunReadSuperPackets);
      HandlePacket(packet, size, vnet.gso_size);
      return;
    default:
      counters_->Add(k_dropBadGso);
      return;
  }
}

bool TxProcessor::CompleteChecksum(uint8_t* p, size_t n, const virtio_net_hdr& vnet) {
  const size_t start = vnet.csum_start;
  const size_t field = start + vnet.csum_offset;
  if (field + 2 > n || start >= n) return false;
  // The field holds the pseudo header's sum; summing over it gives the complete checksum.
  Store16(p + field, static_cast<uint16_t>(~Fold(SumBytes(p + start, n - start))));
  return true;
}

void TxProcessor::HandlePacket(uint8_t* p, size_t n, size_t mss) {
  switch (CheckOutbound(p, n)) {
    case Verdict::kOk:
      break;
    case Verdict::kNotIpv4:  // IPv6 the kernel sends on its own (router solicitations, MLD)
      counters_->Add(k_dropNotIpv4Out);
      return;
    default:
      counters_->Add(k_dropBadOutbound);
      return;
  }
  n = IpTotalLength(p);
  if (p[kIpTtl] <= 1) {
    counters_->Add(k_dropTtlOut);
    return;
  }
  const uint32_t destination = IpDestination(p);
  if (destination != lastDestination_ || lastPeer_ == 0) {
    lastDestination_ = destination;
    lastPeer_ = table_ == nullptr ? 0 : table_->Lookup(destination);
  }
  const uint32_t peer = lastPeer_;
  if (peer == 0) {
    counters_->Add(k_dropNoRoute);
    Unreachable(p, n);
    return;
  }
  if (mss == 0) {
    DecrementTtl(p);
    batch_->Add(peer, port_, p, n);
    return;
  }
  const size_t count = TcpSegmentCount(p, n, mss);
  if (count == 0 || count > kMaxSegments) {
    counters_->Add(k_dropBadGso);
    return;
  }
  p[kIpTtl] = static_cast<uint8_t>(p[kIpTtl] - 1);  // the segments' headers get fresh checksums
  SegmentTcp(p, n, mss, arena_, [&](const uint8_t* headers, size_t headerLength, const uint8_t* payload, size_t payloadLength) {
    batch_->Add(peer, port_, headers, headerLength, payload, payloadLength);
  });
}

void TxProcessor::Unreachable(const uint8_t* p, size_t n) {
  if (!icmp_) return;
  uint8_t answer[kIcmpUnreachableMax];
  const size_t size = BuildNetUnreachable(p, n, tunAddress_, answer);
  if (size == 0) return;
  if (!icmpLimit_.Allow()) {
    counters_->Add(k_icmpRateLimited);
    return;
  }
  if (icmpSink_->Send(answer, size)) counters_->Add(k_icmpUnreachableSent);
}

}  // namespace udpdp
