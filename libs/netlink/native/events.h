// events.h: one change notification, parsed on the listener thread and handed to JS as a batch.
#pragma once

#include <vector>

#include "failure.h"
#include "records.h"

namespace netlink {

struct EventRecord {
  enum class Kind { Link, Addr, Route, Neigh, Overflow, Error };
  Kind kind = Kind::Overflow;
  bool added = false;  // RTM_NEW* rather than RTM_DEL*
  LinkRecord link;
  AddrRecord addr;
  RouteRecord route;
  NeighRecord neigh;
  Outcome error;
};

using EventBatch = std::vector<EventRecord>;

}  // namespace netlink
