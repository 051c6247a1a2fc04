// counters.h: the datapath's counters, written by the packet threads and read from JS.
//
// Each queue's threads write them (one direction each). A thread counts into a plain
// LocalCounters during a batch and publishes once per batch, so the hot path has no atomics and
// the threads of the other queues meet only at the publishing fetch_add.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace udpdp {

// X(name): the JS name of each counter, in the order of Counter.
#define UDPDP_COUNTERS(X)                                                                       \
  /* TUN → UDP */                                                                               \
  X(tunReadPackets) X(tunReadBytes) X(tunReadSuperPackets) X(udpSentDatagrams) X(udpSentBytes) \
  X(sendBatches) X(gsoMessages) X(gsoFallbacks)                                                 \
  X(dropNoRoute) X(dropTtlOut) X(dropNotIpv4Out) X(dropBadOutbound) X(dropBadGso) X(dropSendError)                \
  X(icmpUnreachableSent) X(icmpRateLimited)                                                     \
  /* UDP → TUN */                                                                               \
  X(udpReceivedDatagrams) X(udpReceivedBytes) X(receiveBatches) X(groMessages)                  \
  X(tunWrittenPackets) X(tunWrittenBytes) X(tunWrittenCoalesced) X(coalescedSegments)           \
  X(dropShort) X(dropNotIpv4) X(dropBadLength) X(dropTooLarge) X(dropTtlIn) X(dropTunWriteError) \
  X(receiveErrors)

enum Counter : int {
#define UDPDP_ENUM(name) k_##name,
  UDPDP_COUNTERS(UDPDP_ENUM)
#undef UDPDP_ENUM
      kCounterCount
};

extern const char* const kCounterNames[kCounterCount];

struct LocalCounters {
  uint64_t value[kCounterCount] = {};
  void Add(Counter c, uint64_t n = 1) { value[c] += n; }
};

class Counters {
 public:
  // Adds what `local` holds and clears it (the owning thread, once per batch).
  void Publish(LocalCounters* local) {
    for (int i = 0; i < kCounterCount; i++) {
      if (local->value[i] != 0) {
        value_[i].fetch_add(local->value[i], std::memory_order_relaxed);
        local->value[i] = 0;
      }
    }
  }
  void Snapshot(uint64_t out[kCounterCount]) const {
    for (int i = 0; i < kCounterCount; i++) out[i] = value_[i].load(std::memory_order_relaxed);
  }

 private:
  std::atomic<uint64_t> value_[kCounterCount] = {};
};

}  // namespace udpdp
