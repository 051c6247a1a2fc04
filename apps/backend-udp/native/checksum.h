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

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace udpdp {

inline uint64_t AddWithCarry(uint64_t a, uint64_t b) {
  const uint64_t s = a + b;
  return s + (s < b);
}

// Adds the bytes [p, p+n) to `acc` (a 64-bit ones' complement accumulator), 64-bit words at a
// time with four independent carry chains. The reference every vector version is checked against
// (native/harness), and the tail of each.
inline uint64_t SumBytesScalar(const uint8_t* p, size_t n, uint64_t acc = 0) {
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

#if defined(__x86_64__)

// The vector versions widen 32-bit words into 64-bit lanes and add them there: no carries to
// propagate, and a lane overflows only after 2^32 words. Lanes are folded into `acc` at the end.

// SSE2 (every x86-64): 64 bytes per step.
inline uint64_t SumBytesSse2(const uint8_t* p, size_t n, uint64_t acc = 0) {
  const __m128i zero = _mm_setzero_si128();
  __m128i a0 = zero, a1 = zero, a2 = zero, a3 = zero;
  while (n >= 64) {
    const __m128i w0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i w1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
    const __m128i w2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 32));
    const __m128i w3 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 48));
    a0 = _mm_add_epi64(a0, _mm_add_epi64(_mm_unpacklo_epi32(w0, zero), _mm_unpackhi_epi32(w0, zero)));
    a1 = _mm_add_epi64(a1, _mm_add_epi64(_mm_unpacklo_epi32(w1, zero), _mm_unpackhi_epi32(w1, zero)));
    a2 = _mm_add_epi64(a2, _mm_add_epi64(_mm_unpacklo_epi32(w2, zero), _mm_unpackhi_epi32(w2, zero)));
    a3 = _mm_add_epi64(a3, _mm_add_epi64(_mm_unpacklo_epi32(w3, zero), _mm_unpackhi_epi32(w3, zero)));
    p += 64;
    n -= 64;
  }
  alignas(16) uint64_t lanes[2];
  _mm_store_si128(reinterpret_cast<__m128i*>(lanes), _mm_add_epi64(_mm_add_epi64(a0, a1), _mm_add_epi64(a2, a3)));
  acc = AddWithCarry(AddWithCarry(acc, lanes[0]), lanes[1]);
  return SumBytesScalar(p, n, acc);
}

// AVX2 (chosen at run time): 128 bytes per step.
__attribute__((target("avx2"))) inline uint64_t SumBytesAvx2(const uint8_t* p, size_t n, uint64_t acc = 0) {
  const __m256i zero = _mm256_setzero_si256();
  __m256i a0 = zero, a1 = zero, a2 = zero, a3 = zero;
  while (n >= 128) {
    const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
    const __m256i w2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 64));
    const __m256i w3 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 96));
    a0 = _mm256_add_epi64(a0, _mm256_add_epi64(_mm256_unpacklo_epi32(w0, zero), _mm256_unpackhi_epi32(w0, zero)));
    a1 = _mm256_add_epi64(a1, _mm256_add_epi64(_mm256_unpacklo_epi32(w1, zero), _mm256_unpackhi_epi32(w1, zero)));
    a2 = _mm256_add_epi64(a2, _mm256_add_epi64(_mm256_unpacklo_epi32(w2, zero), _mm256_unpackhi_epi32(w2, zero)));
    a3 = _mm256_add_epi64(a3, _mm256_add_epi64(_mm256_unpacklo_epi32(w3, zero), _mm256_unpackhi_epi32(w3, zero)));
    p += 128;
    n -= 128;
  }
  alignas(32) uint64_t lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), _mm256_add_epi64(_mm256_add_epi64(a0, a1), _mm256_add_epi64(a2, a3)));
  acc = AddWithCarry(AddWithCarry(acc, lanes[0]), AddWithCarry(lanes[1], lanes[2]));
  acc = AddWithCarry(acc, lanes[3]);
  return SumBytesSse2(p, n, acc);
}

using SumBytesFunction = uint64_t (*)(const uint8_t*, size_t, uint64_t);

// The widest version this CPU runs, decided once.
inline SumBytesFunction WidestSumBytes() {
  static const SumBytesFunction widest = __builtin_cpu_supports("avx2") ? &SumBytesAvx2 : &SumBytesSse2;
  return widest;
}

// Below this the vector set-up costs more than it saves (headers, small packets).
constexpr size_t kVectorSumMinimum = 128;

inline uint64_t SumBytes(const uint8_t* p, size_t n, uint64_t acc = 0) {
  return n < kVectorSumMinimum ? SumBytesScalar(p, n, acc) : WidestSumBytes()(p, n, acc);
}

#else

inline uint64_t SumBytes(const uint8_t* p, size_t n, uint64_t acc = 0) { return SumBytesScalar(p, n, acc); }

#endif

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
