// peer-table.h: which peer (PublicIP) carries a destination, by longest-prefix match.
//
// A PeerTable never changes once built. PeerTables swaps in a new one under a mutex held for a
// pointer copy; the packet threads notice through a generation number checked once per batch and
// keep using their own reference meanwhile, so an update never stops or slows the packet loop.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace udpdp {

struct PeerRoute {
  uint32_t network;  // host order, host bits clear
  int prefixLength;
  uint32_t peer;  // the peer's PublicIP, host order
};

class PeerTable {
 public:
  PeerTable() = default;
  explicit PeerTable(const std::vector<PeerRoute>& routes);

  // The PublicIP for `destination` (host order), or 0 when no entry contains it.
  uint32_t Lookup(uint32_t destination) const {
    for (const Level& level : levels_) {
      const auto it = level.peers.find(destination & level.mask);
      if (it != level.peers.end()) return it->second;
    }
    return 0;
  }
  size_t size() const { return size_; }

 private:
  struct Level {
    uint32_t mask;
    std::unordered_map<uint32_t, uint32_t> peers;
  };
  std::vector<Level> levels_;  // longest prefix first
  size_t size_ = 0;
};

class PeerTables {
 public:
  PeerTables() : current_(std::make_shared<PeerTable>()) {}

  void Replace(std::shared_ptr<const PeerTable> table) {
    std::lock_guard<std::mutex> lock(mutex_);
    current_ = std::move(table);
    generation_.fetch_add(1, std::memory_order_release);
  }

  // Refreshes `*held` when a newer table exists; cheap when none does.
  void Refresh(std::shared_ptr<const PeerTable>* held, uint64_t* seen) const {
    const uint64_t now = generation_.load(std::memory_order_acquire);
    if (now == *seen && *held) return;
    std::lock_guard<std::mutex> lock(mutex_);
    *held = current_;
    *seen = generation_.load(std::memory_order_relaxed);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const PeerTable> current_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace udpdp
