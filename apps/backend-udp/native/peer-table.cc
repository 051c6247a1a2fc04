#include "peer-table.h"

#include <algorithm>

namespace udpdp {

PeerTable::PeerTable(const std::vector<PeerRoute>& routes) {
  std::vector<int> lengths;
  for (const PeerRoute& route : routes) lengths.push_back(route.prefixLength);
  std::sort(lengths.begin(), lengths.end(), std::greater<int>());
  lengths.erase(std::unique(lengths.begin(), lengths.end()), lengths.end());
  for (int length : lengths) {
    const uint32_t mask = length == 0 ? 0 : ~uint32_t{0} << (32 - length);
    levels_.push_back(Level{mask, {}});
  }
  for (const PeerRoute& route : routes) {
    const auto level = std::find_if(levels_.begin(), levels_.end(), [&](const Level& l) {
      return l.mask == (route.prefixLength == 0 ? 0 : ~uint32_t{0} << (32 - route.prefixLength));
    });
    // The last entry for a prefix wins, as a later CMD_SET_ROUTE replaces an earlier one.
    level->peers[route.network & level->mask] = route.peer;
  }
  for (const Level& level : levels_) size_ += level.peers.size();
}

}  // namespace udpdp
