// tcp-coalescer.h: consecutive segments of one TCP flow, received from a peer, merged into one
// GSO packet for the TUN (the kernel's GRO rules: same addresses, ports, TOS, TTL, ACK, window and
// options, contiguous sequence numbers, every segment but the last of the same size, only ACK and
// PSH set, PSH ending the run). The merged packet leaves with a virtio header that asks the kernel
// to treat it as TSO (gso_size = the segment size) with a partial checksum.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tun-sink.h"
#include "vnet-header.h"

namespace udpdp {

class TcpCoalescer {
 public:
  // Largest merged packet: the IPv4 total length limit.
  static constexpr size_t kMaxMerged = 65535;

  // Whether a validated inbound packet may join a run: TCP without IP options or fragmentation,
  // ACK (and maybe PSH) only, a payload, and a correct TCP checksum (a merged packet's checksum is
  // no longer verified by the receiver, so a damaged segment must not hide in one).
  static bool Candidate(const uint8_t* packet, size_t length);

  bool active() const { return segments_ > 0; }
  size_t segments() const { return segments_; }
  // Whether `packet` (a Candidate) continues the current run.
  bool Accepts(const uint8_t* packet, size_t length) const;
  void Start(uint8_t* packet, size_t length);
  void Append(uint8_t* packet, size_t length);
  // The run's packets for the TUN: a single segment as it is (TTL − 1), several as one GSO packet.
  // Returns the pieces (virtio header first) to write; the run is then empty.
  const std::vector<iovec>& Take();

 private:
  virtio_net_hdr vnet_{};
  uint8_t* head_ = nullptr;
  size_t headLength_ = 0;
  size_t headers_ = 0;
  size_t mss_ = 0;
  size_t payload_ = 0;
  size_t segments_ = 0;
  uint32_t nextSeq_ = 0;
  bool closed_ = false;
  bool push_ = false;
  std::vector<iovec> pieces_;
};

}  // namespace udpdp
