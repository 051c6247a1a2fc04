#include "tcp-coalescer.h"

#include <cstring>

#include "checksum.h"
#include "ipv4.h"

namespace udpdp {

namespace {

constexpr uint8_t kMergeableFlags = kTcpAckFlag | kTcpPsh;

}  // namespace

bool TcpCoalescer::Candidate(const uint8_t* p, size_t n) {
  if (p[kIpProtocol] != kProtoTcp || IpHeaderLength(p) != kIpHeaderMin || IsFragment(p)) return false;
  if (n < kIpHeaderMin + kTcpHeaderMin) return false;
  const uint8_t* tcp = p + kIpHeaderMin;
  const size_t thl = TcpHeaderLength(tcp);
  if (thl < kTcpHeaderMin || kIpHeaderMin + thl >= n) return false;
  const uint8_t flags = tcp[kTcpFlags];
  if ((flags & ~kMergeableFlags) != 0 || (flags & kTcpAckFlag) == 0) return false;
  const uint32_t tcpLength = static_cast<uint32_t>(n - kIpHeaderMin);
  return Fold(SumBytes(tcp, tcpLength, PseudoHeaderSum(p, kProtoTcp, tcpLength))) == 0xffff;
}

bool TcpCoalescer::Accepts(const uint8_t* p, size_t n) const {
  if (closed_) return false;
  const uint8_t* h = head_;
  const uint8_t* tcp = p + kIpHeaderMin;
  const uint8_t* headTcp = h + kIpHeaderMin;
  const size_t thl = TcpHeaderLength(tcp);
  if (kIpHeaderMin + thl != headers_) return false;
  const size_t payload = n - headers_;
  if (payload > mss_ || headers_ + payload_ + payload > kMaxMerged) return false;
  if (LoadBe32(tcp + kTcpSeq) != nextSeq_) return false;
  // IP: TOS, fragment field (DF), TTL, protocol, addresses.
  if (p[1] != h[1] || Load16(p + kIpFragment) != Load16(h + kIpFragment) || p[kIpTtl] != h[kIpTtl] ||
      std::memcmp(p + kIpSource, h + kIpSource, 8) != 0) {
    return false;
  }
  // TCP: ports; then ack, data offset, flags but PSH, window, urgent pointer and options.
  if (std::memcmp(tcp, headTcp, 4) != 0 || std::memcmp(tcp + kTcpAck, headTcp + kTcpAck, 5) != 0) return false;
  if ((tcp[kTcpFlags] | kTcpPsh) != (headTcp[kTcpFlags] | kTcpPsh)) return false;
  if (std::memcmp(tcp + 14, headTcp + 14, 2) != 0 || std::memcmp(tcp + 18, headTcp + 18, thl - 18) != 0) return false;
  return true;
}

void TcpCoalescer::Start(uint8_t* p, size_t n) {
  head_ = p;
  headLength_ = n;
  headers_ = kIpHeaderMin + TcpHeaderLength(p + kIpHeaderMin);
  mss_ = n - headers_;
  payload_ = mss_;
  segments_ = 1;
  nextSeq_ = LoadBe32(p + kIpHeaderMin + kTcpSeq) + static_cast<uint32_t>(mss_);
  push_ = (p[kIpHeaderMin + kTcpFlags] & kTcpPsh) != 0;
  closed_ = push_;
  pieces_.clear();
  pieces_.push_back(iovec{&vnet_, sizeof(vnet_)});
  pieces_.push_back(iovec{p, n});
}

void TcpCoalescer::Append(uint8_t* p, size_t n) {
  const size_t payload = n - headers_;
  pieces_.push_back(iovec{p + headers_, payload});
  payload_ += payload;
  segments_++;
  nextSeq_ += static_cast<uint32_t>(payload);
  const bool push = (p[kIpHeaderMin + kTcpFlags] & kTcpPsh) != 0;
  push_ = push_ || push;
  closed_ = push || payload < mss_;
}

const std::vector<iovec>& TcpCoalescer::Take() {
  uint8_t* h = head_;
  std::memset(&vnet_, 0, sizeof(vnet_));
  if (segments_ == 1) {
    DecrementTtl(h);
  } else {
    const size_t total = headers_ + payload_;
    const size_t thl = headers_ - kIpHeaderMin;
    h[kIpTtl] = static_cast<uint8_t>(h[kIpTtl] - 1);
    StoreBe16(h + kIpTotalLength, static_cast<uint16_t>(total));
    SetIpHeaderChecksum(h);
    uint8_t* tcp = h + kIpHeaderMin;
    if (push_) tcp[kTcpFlags] |= kTcpPsh;
    // A partial checksum: the pseudo header's sum, not inverted; the kernel completes each segment's.
    Store16(tcp + kTcpChecksum, Fold(PseudoHeaderSum(h, kProtoTcp, static_cast<uint32_t>(thl + payload_))));
    vnet_.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    vnet_.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
    vnet_.hdr_len = static_cast<uint16_t>(headers_);
    vnet_.gso_size = static_cast<uint16_t>(mss_);
    vnet_.csum_start = static_cast<uint16_t>(kIpHeaderMin);
    vnet_.csum_offset = static_cast<uint16_t>(kTcpChecksum);
  }
  segments_ = 0;
  return pieces_;
}

}  // namespace udpdp
