// tun-device.h: the TUN device (`flannel%d`: the kernel picks the number).
#pragma once

#include <string>

#include "outcome.h"

namespace udpdp {

struct TunDevice {
  int fd = -1;        // non-blocking, close-on-exec; the device vanishes when it is closed
  std::string name;   // e.g. "flannel0"
  bool vnetHeader = false;
};

// IFF_TUN | IFF_NO_PI. With `offloads`: IFF_VNET_HDR, TUNSETVNETHDRSZ and
// TUNSETOFFLOAD(TUN_F_CSUM | TUN_F_TSO4), so the kernel may hand over TCP super-packets with
// partial checksums. When the kernel refuses an offload the device is opened again without them
// and `*offloadProblem` says why.
Outcome OpenTun(const std::string& nameTemplate, bool offloads, TunDevice* out, std::string* offloadProblem);

}  // namespace udpdp
