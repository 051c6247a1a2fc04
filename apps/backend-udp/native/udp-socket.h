// udp-socket.h: the tunnel's UDP socket, bound to <external address>:<Port>.
#pragma once

#include <cstdint>
#include <string>

#include "outcome.h"

namespace udpdp {

struct UdpSocket {
  int fd = -1;  // non-blocking, close-on-exec
  bool gso = false;  // UDP_SEGMENT works
  bool gro = false;  // UDP_GRO is on
};

// With `reusePort` the socket joins the port's SO_REUSEPORT group: the kernel hands each datagram
// to one of the group's sockets by the hash of its addresses and ports. Buffers are forced to `bufferBytes` (SO_SNDBUFFORCE/SO_RCVBUFFORCE need CAP_NET_ADMIN; without
// it the kernel's limits apply). UDP_GRO is turned on and UDP_SEGMENT probed (with or without
// TUN offloads); `*offloadProblem` says why one is off.
Outcome OpenUdp(uint32_t address, uint16_t port, int bufferBytes, bool reusePort, UdpSocket* out, std::string* offloadProblem);

}  // namespace udpdp
