// checksum.h: the Internet checksum (RFC 1071) and its incremental update (RFC 1624).
//
// Sums are kept in the "host-order load" domain: 16-bit words are read as the CPU reads them and
// the folded result is stored the same way, which gives the network-order checksum on either
// endianness (RFC 1071 §2(B)). Partial sums of pieces may be added together as long as every
// piece starts at an even offset of the checksummed region.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "bytes.h"

namespace udpdp {

inline uint64_t AddWithCarry(uint64_t a, uint64_t b) {
  const uint64_t s = a + b;
  return s + (s < b);
}

// Adds the bytes [p, p+n) to `acc` (a 64-bit ones' complement accumulator).
inline uint64_t SumBytes(const uint8_t* p, size_t n, uint64_t acc = 0) {
  uint64_t s0 = acc, s1 = 0, s2 = 0, s3 = 0;
  while (n >= 32) {
    uint64_t w[4];
    std::memcpy(w, p, sizeof(w));
    s0 = AddWithCarry(s0, w[0]);
    s1 = AddWithCarry(s1, w[1]);
    s2 = AddWithCarry(s2, w[2]);
    s3 = AddWithCarry(s3, w[3]);
    p += 32;
    n -= 32;
  }
  s0 = AddWithCarry(AddWithCarry(s0, s1), AddWithCarry(s2, s3));
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, sizeof(w));
    s0 = AddWithCarry(s0, w);
    p += 8;
    n -= 8;
  }
  if (n >= 4) {
    s0 = AddWithCarry(s0, Load32(p));
    p += 4;
    n -= 4;
  }
  if (n >= 2) {
    s0 = AddWithCarry(s0, Load16(p));
    p += 2;
    n -= 2;
  }
  if (n == 1) {
    const uint8_t last[2] = {p[0], 0};  // an odd trailing byte is padded with a zero byte
    s0 = AddWithCarry(s0, Load16(last));
  }
  return s0;
}

// The 16-bit ones' complement sum (not inverted).
inline uint16_t Fold(uint64_t s) {
  s = (s & 0xffffffffu) + (s >> 32);
  s = (s & 0xffffffffu) + (s >> 32);
  s = (s & 0xffffu) + (s >> 16);
  s = (s & 0xffffu) + (s >> 16);
  s = (s & 0xffffu) + (s >> 16);
  return static_cast<uint16_t>(s);
}

inline uint16_t Checksum(const uint8_t* p, size_t n) { return static_cast<uint16_t>(~Fold(SumBytes(p, n))); }

// The TCP/UDP pseudo header of the IPv4 packet at `ip`: addresses, protocol and L4 length.
inline uint64_t PseudoHeaderSum(const uint8_t* ip, uint8_t protocol, uint32_t l4Length) {
  uint8_t tail[4] = {0, protocol, static_cast<uint8_t>(l4Length >> 8), static_cast<uint8_t>(l4Length)};
  uint64_t s = Load32(ip + 12);
  s += Load32(ip + 16);
  s += Load32(tail);
  return s;
}

// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for the 16-bit word at `word` changing from `before`.
inline void UpdateChecksum(uint8_t* checksum, uint16_t before, uint16_t after) {
  const uint64_t s = static_cast<uint16_t>(~Load16(checksum)) + static_cast<uint16_t>(~before) + static_cast<uint64_t>(after);
  Store16(checksum, static_cast<uint16_t>(~Fold(s)));
}

}  // namespace udpdp
