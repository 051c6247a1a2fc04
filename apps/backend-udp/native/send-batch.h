// send-batch.h: datagrams to peers, gathered for one sendmmsg(2).
//
// Datagrams are added one by one, each made of one or two pieces (e.g. a segment's rebuilt
// headers and its payload, left where it was read). With GSO on, a datagram joins the previous
// message when it goes to the same peer and UDP_SEGMENT can carry both: every datagram of a
// message but the last has the message's segment size, the last may be shorter. So a TCP
// super-packet's segments, or a train of equal ACKs, leave in one system call and one skb.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "fixed-array.h"

namespace udpdp {

// UDP_SEGMENT's limits: at most 64 segments (older kernels) and one IPv4 datagram's payload.
constexpr size_t kGsoMaxSegments = 64;
constexpr size_t kGsoMaxBytes = 65535 - 20 - 8;

class SendBatch {
 public:
  SendBatch(size_t maxMessages, size_t maxPieces);

  void Reset();
  // Whether `messages` more messages of `pieces` pieces in all still fit.
  bool HasRoom(size_t messages, size_t pieces) const {
    return count_ + messages <= msgs_.size() && pieceCount_ + pieces <= iov_.size();
  }
  // Adds one datagram to `peer` (host order) on `port`. The caller checked HasRoom(1, 2).
  void Add(uint32_t peer, uint16_t port, const uint8_t* a, size_t aLength, const uint8_t* b = nullptr, size_t bLength = 0);

  void set_gso(bool gso) { gso_ = gso; }
  bool gso() const { return gso_; }
  size_t size() const { return count_; }
  // Finishes the messages (control data for GSO ones) and returns them for sendmmsg.
  mmsghdr* Finish();
  // For a message the kernel refused: its datagrams one by one, as (first piece, piece count).
  std::vector<std::pair<size_t, size_t>> DatagramsOf(size_t message) const;
  const iovec* pieces() const { return iov_.data(); }
  size_t DatagramCount(size_t message) const { return info_[message].datagrams; }
  size_t ByteCount(size_t message) const { return info_[message].bytes; }
  // The UDP_SEGMENT size of a message (its first datagram's length).
  size_t SegmentSize(size_t message) const { return info_[message].segmentSize; }
  const sockaddr_in* AddressOf(size_t message) const { return &addrs_[message]; }

 private:
  struct Info {
    uint32_t peer;
    uint16_t port;
    size_t firstPiece;
    size_t datagrams;
    size_t bytes;
    size_t segmentSize;
    bool closed;  // its last datagram was shorter than the segment size
  };
  struct Control {
    alignas(cmsghdr) char bytes[CMSG_SPACE(sizeof(uint16_t))];
  };

  FixedArray<mmsghdr> msgs_;
  FixedArray<Info> info_;
  FixedArray<sockaddr_in> addrs_;
  FixedArray<Control> controls_;
  FixedArray<iovec> iov_;
  FixedArray<uint8_t> startsDatagram_;
  size_t count_ = 0;
  size_t pieceCount_ = 0;
  bool gso_ = false;
};

}  // namespace udpdp
