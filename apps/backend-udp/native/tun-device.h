// tun-device.h: the TUN device (`flannel%d`: the kernel picks the number).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "outcome.h"

namespace udpdp {

struct TunDevice {
  std::vector<int> fds;  // one per queue; non-blocking, close-on-exec; the device vanishes with the last
  std::string name;      // e.g. "flannel0"
  bool vnetHeader = false;
};

// The queues to open: one per online CPU, at most kMaxTunQueues.
constexpr size_t kMaxTunQueues = 8;
size_t DefaultTunQueues();

// IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE with `queues` queues (the kernel picks a packet's queue
// by its flow hash, so one flow stays on one queue and in order); a kernel without multi-queue TUN
// gets one queue. With `offloads`: IFF_VNET_HDR, TUNSETVNETHDRSZ and
// TUNSETOFFLOAD(TUN_F_CSUM | TUN_F_TSO4), so the kernel may hand over TCP super-packets with
// partial checksums. When the kernel refuses an offload the device is opened again without them
// and `*offloadProblem` says why.
Outcome OpenTun(const std::string& nameTemplate, size_t queues, bool offloads, TunDevice* out, std::string* offloadProblem);

}  // namespace udpdp
