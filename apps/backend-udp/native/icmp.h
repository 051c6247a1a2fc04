// icmp.h: the ICMP "network unreachable" answered for a destination no peer carries, as Go flanneld does.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace udpdp {

// IP header (20) + ICMP header (8) + the offender's IP header (≤ 60) + 8 bytes.
constexpr size_t kIcmpUnreachableMax = 20 + 8 + 60 + 8;

// Builds into `out` the ICMP destination unreachable / network unreachable (type 3, code 0) from
// `source` (the TUN address, host order) to the offender's source, TTL 8, quoting the offender's
// header and first 8 bytes. Returns its length, or 0 when none is due: the offender is itself an
// ICMP error (RFC 1122 3.2.2), a fragment other than the first, or too short to quote.
size_t BuildNetUnreachable(const uint8_t* offender, size_t length, uint32_t source, uint8_t out[kIcmpUnreachableMax]);

// Where ICMP answers go. Written into the TUN they would be dropped: the kernel refuses a packet
// arriving with one of the host's own addresses as its source (a martian, unless accept_local),
// and the answer's source is the TUN address. So they leave from the host's own stack instead (a
// raw socket), exactly as built; the TUN is the fallback without CAP_NET_RAW.
class PacketSink {
 public:
  virtual ~PacketSink() = default;
  virtual bool Send(const uint8_t* packet, size_t length) = 0;
};

// A token bucket: `rate` per second, bursts up to `rate`.
class RateLimiter {
 public:
  explicit RateLimiter(double rate) : rate_(rate), tokens_(rate) {}

  bool Allow() {
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    tokens_ = tokens_ + elapsed * rate_ > rate_ ? rate_ : tokens_ + elapsed * rate_;
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

 private:
  double rate_;
  double tokens_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace udpdp
