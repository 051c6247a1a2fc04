// tx-loop.h: the TUN → UDP thread. Reads the TUN until EAGAIN (or a batch is full), turns the
// packets into datagrams (TxProcessor) and sends them with sendmmsg; waits in poll only when the
// TUN is empty. A GSO message the kernel refuses is resent datagram by datagram and GSO is
// turned off for good.
#pragma once

#include "loop-context.h"

namespace udpdp {

void RunTunToUdp(const LoopContext& ctx);

}  // namespace udpdp
