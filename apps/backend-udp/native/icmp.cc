#include "icmp.h"

#include <cstring>

#include "bytes.h"
#include "checksum.h"
#include "ipv4.h"

namespace udpdp {

namespace {

constexpr uint8_t kIcmpDestinationUnreachable = 3;
constexpr uint8_t kIcmpNetUnreachable = 0;
constexpr uint8_t kUnreachableTtl = 8;

// ICMP types that are error messages: never answered with another error.
bool IsIcmpError(uint8_t type) { return type == 3 || type == 4 || type == 5 || type == 11 || type == 12; }

}  // namespace

size_t BuildNetUnreachable(const uint8_t* offender, size_t length, uint32_t source, uint8_t out[kIcmpUnreachableMax]) {
  const size_t ihl = IpHeaderLength(offender);
  if (ihl < kIpHeaderMin || length < ihl + 8) return 0;
  if (IsLaterFragment(offender)) return 0;
  if (offender[kIpProtocol] == kProtoIcmp && IsIcmpError(offender[ihl])) return 0;

  const size_t quoted = ihl + 8;
  const size_t total = kIpHeaderMin + 8 + quoted;
  std::memset(out, 0, kIpHeaderMin + 8);
  out[0] = 0x45;
  StoreBe16(out + kIpTotalLength, static_cast<uint16_t>(total));
  out[kIpTtl] = kUnreachableTtl;
  out[kIpProtocol] = kProtoIcmp;
  StoreBe32(out + kIpSource, source);
  std::memcpy(out + kIpDestination, offender + kIpSource, 4);
  SetIpHeaderChecksum(out);

  uint8_t* icmp = out + kIpHeaderMin;
  icmp[0] = kIcmpDestinationUnreachable;
  icmp[1] = kIcmpNetUnreachable;
  std::memcpy(icmp + 8, offender, quoted);
  Store16(icmp + 2, Checksum(icmp, 8 + quoted));
  return total;
}

}  // namespace udpdp
