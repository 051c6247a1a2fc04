// rx-loop.h: the UDP → TUN thread. recvmmsg until EAGAIN (with UDP_GRO, each message may hold
// several datagrams), checks and writes the packets to the TUN (RxProcessor); waits in poll only
// when the socket is empty.
#pragma once

#include "loop-context.h"

namespace udpdp {

void RunUdpToTun(const LoopContext& ctx);

}  // namespace udpdp
