#include "send-batch.h"

#include <arpa/inet.h>
#include <netinet/udp.h>

#include <cstring>

namespace udpdp {

SendBatch::SendBatch(size_t maxMessages, size_t maxPieces)
    : msgs_(maxMessages), info_(maxMessages), addrs_(maxMessages), controls_(maxMessages), iov_(maxPieces), startsDatagram_(maxPieces) {}

void SendBatch::Reset() {
  count_ = 0;
  pieceCount_ = 0;
}

void SendBatch::Add(uint32_t peer, uint16_t port, const uint8_t* a, size_t aLength, const uint8_t* b, size_t bLength) {
  const size_t length = aLength + bLength;
  bool join = false;
  if (gso_ && count_ > 0) {
    const Info& last = info_[count_ - 1];
    join = last.peer == peer && last.port == port && !last.closed && length <= last.segmentSize &&
           last.datagrams < kGsoMaxSegments && last.bytes + length <= kGsoMaxBytes;
  }
  if (!join) {
    Info& info = info_[count_];
    info = Info{peer, port, pieceCount_, 0, 0, length, false};
    count_++;
  }
  Info& info = info_[count_ - 1];
  startsDatagram_[pieceCount_] = 1;
  iov_[pieceCount_++] = iovec{const_cast<uint8_t*>(a), aLength};
  if (bLength > 0) {
    startsDatagram_[pieceCount_] = 0;
    iov_[pieceCount_++] = iovec{const_cast<uint8_t*>(b), bLength};
  }
  info.datagrams++;
  info.bytes += length;
  if (length < info.segmentSize) info.closed = true;
}

mmsghdr* SendBatch::Finish() {
  for (size_t i = 0; i < count_; i++) {
    const Info& info = info_[i];
    const size_t end = i + 1 < count_ ? info_[i + 1].firstPiece : pieceCount_;
    sockaddr_in& addr = addrs_[i];
    std::memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(info.peer);
    addr.sin_port = htons(info.port);
    msghdr& msg = msgs_[i].msg_hdr;
    std::memset(&msg, 0, sizeof(msg));
    msg.msg_name = &addr;
    msg.msg_namelen = sizeof(addr);
    msg.msg_iov = &iov_[info.firstPiece];
    msg.msg_iovlen = end - info.firstPiece;
    if (info.datagrams > 1) {
      msg.msg_control = controls_[i].bytes;
      msg.msg_controllen = sizeof(controls_[i].bytes);
      cmsghdr* cm = CMSG_FIRSTHDR(&msg);
      cm->cmsg_level = SOL_UDP;
      cm->cmsg_type = UDP_SEGMENT;
      cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      const uint16_t segment = static_cast<uint16_t>(info.segmentSize);
      std::memcpy(CMSG_DATA(cm), &segment, sizeof(segment));
    }
    msgs_[i].msg_len = 0;
  }
  return msgs_.data();
}

std::vector<std::pair<size_t, size_t>> SendBatch::DatagramsOf(size_t message) const {
  const size_t first = info_[message].firstPiece;
  const size_t end = message + 1 < count_ ? info_[message + 1].firstPiece : pieceCount_;
  std::vector<std::pair<size_t, size_t>> out;
  for (size_t i = first; i < end; i++) {
    if (startsDatagram_[i]) out.emplace_back(i, 1);
    else out.back().second++;
  }
  return out;
}

}  // namespace udpdp
