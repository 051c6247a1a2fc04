// flow-steering.h: which TUN queue a packet leaving through the device is handed to.
//
// Without a program the kernel follows its flow table, which learns a flow's queue from the queue
// its packets were last written to. Received traffic from one peer is written by one thread, so
// every flow to that peer ends up on one queue and one TUN → UDP thread. A small eBPF program
// (TUNSETSTEERINGEBPF) picks the queue from the inner addresses, protocol and ports instead: the
// same queue for every packet of a flow and for both of its directions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "outcome.h"

namespace udpdp {

// What the program returns (the kernel takes it modulo the queue count): a hash of the IPv4
// addresses, the protocol and, for TCP, UDP and SCTP packets that are not fragments, the ports;
// symmetric in source and destination. `packet` starts at the IPv4 header; a packet too short for
// a field it needs gets 0, as the program's failed load does.
uint32_t FlowQueueHash(const uint8_t* packet, size_t length);

// The loaded program (a BPF_PROG_TYPE_SOCKET_FILTER descriptor, close-on-exec). Needs CAP_BPF or
// CAP_SYS_ADMIN.
Outcome LoadFlowSteering(int* programFd);

// Attaches the program to the device of `tunFd` (any of its queues); the device keeps it.
Outcome AttachFlowSteering(int tunFd, int programFd);

// Runs the program on `packet` (BPF_PROG_TEST_RUN) and stores its result in `*result`.
Outcome RunFlowSteering(int programFd, const uint8_t* packet, size_t length, uint32_t* result);

}  // namespace udpdp
