// ipv4.h: IPv4 and TCP header fields, and the checks every packet passes in both directions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "bytes.h"
#include "checksum.h"

namespace udpdp {

constexpr size_t kIpHeaderMin = 20;
constexpr size_t kIpHeaderMax = 60;
constexpr size_t kTcpHeaderMin = 20;
constexpr size_t kTcpHeaderMax = 60;
constexpr size_t kMaxIpPacket = 65535;
constexpr uint8_t kProtoIcmp = 1;
constexpr uint8_t kProtoTcp = 6;
constexpr uint8_t kProtoUdp = 17;

// Offsets in the IPv4 header.
constexpr size_t kIpTotalLength = 2;
constexpr size_t kIpId = 4;
constexpr size_t kIpFragment = 6;
constexpr size_t kIpTtl = 8;
constexpr size_t kIpProtocol = 9;
constexpr size_t kIpChecksum = 10;
constexpr size_t kIpSource = 12;
constexpr size_t kIpDestination = 16;
constexpr uint16_t kIpMoreFragments = 0x2000;
constexpr uint16_t kIpOffsetMask = 0x1fff;

// Offsets in the TCP header.
constexpr size_t kTcpSeq = 4;
constexpr size_t kTcpAck = 8;
constexpr size_t kTcpDataOffset = 12;
constexpr size_t kTcpFlags = 13;
constexpr size_t kTcpChecksum = 16;
constexpr uint8_t kTcpFin = 0x01;
constexpr uint8_t kTcpSyn = 0x02;
constexpr uint8_t kTcpRst = 0x04;
constexpr uint8_t kTcpPsh = 0x08;
constexpr uint8_t kTcpAckFlag = 0x10;
constexpr uint8_t kTcpCwr = 0x80;

inline size_t IpHeaderLength(const uint8_t* ip) { return static_cast<size_t>(ip[0] & 0x0f) * 4; }
inline uint8_t IpVersion(const uint8_t* ip) { return ip[0] >> 4; }
inline uint16_t IpTotalLength(const uint8_t* ip) { return LoadBe16(ip + kIpTotalLength); }
inline uint32_t IpDestination(const uint8_t* ip) { return LoadBe32(ip + kIpDestination); }
inline uint32_t IpSource(const uint8_t* ip) { return LoadBe32(ip + kIpSource); }
inline bool IsLaterFragment(const uint8_t* ip) { return (LoadBe16(ip + kIpFragment) & kIpOffsetMask) != 0; }
inline bool IsFragment(const uint8_t* ip) { return (LoadBe16(ip + kIpFragment) & (kIpOffsetMask | kIpMoreFragments)) != 0; }
inline size_t TcpHeaderLength(const uint8_t* tcp) { return static_cast<size_t>(tcp[kTcpDataOffset] >> 4) * 4; }

inline void SetIpHeaderChecksum(uint8_t* ip) {
  Store16(ip + kIpChecksum, 0);
  Store16(ip + kIpChecksum, Checksum(ip, IpHeaderLength(ip)));
}

// TTL − 1 with the header checksum fixed up incrementally (RFC 1624). The caller checks TTL > 1.
inline void DecrementTtl(uint8_t* ip) {
  const uint16_t before = Load16(ip + kIpTtl);
  ip[kIpTtl] = static_cast<uint8_t>(ip[kIpTtl] - 1);
  UpdateChecksum(ip + kIpChecksum, before, Load16(ip + kIpTtl));
}

// Why a packet is refused; the values index the drop counters.
enum class Verdict { kOk, kShort, kNotIpv4, kBadLength, kTooLarge, kTtlExpired };

// One datagram's payload from a peer must be exactly one IPv4 packet no larger than `maxPacket`.
inline Verdict CheckInbound(const uint8_t* p, size_t n, size_t maxPacket) {
  if (n < kIpHeaderMin) return Verdict::kShort;
  if (IpVersion(p) != 4) return Verdict::kNotIpv4;
  if (n > maxPacket) return Verdict::kTooLarge;
  const size_t ihl = IpHeaderLength(p);
  if (ihl < kIpHeaderMin || ihl > n || IpTotalLength(p) != n) return Verdict::kBadLength;
  if (p[kIpTtl] <= 1) return Verdict::kTtlExpired;
  return Verdict::kOk;
}

// A packet read from the TUN: the kernel hands over whole packets, but a packet injected by a
// local program may still be anything.
inline Verdict CheckOutbound(const uint8_t* p, size_t n) {
  if (n < kIpHeaderMin) return Verdict::kShort;
  if (IpVersion(p) != 4) return Verdict::kNotIpv4;
  const size_t ihl = IpHeaderLength(p);
  if (ihl < kIpHeaderMin || ihl > n || IpTotalLength(p) > n || IpTotalLength(p) < ihl) return Verdict::kBadLength;
  return Verdict::kOk;
}

}  // namespace udpdp
