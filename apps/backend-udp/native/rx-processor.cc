#include "rx-processor.h"

namespace udpdp {

void RxProcessor::HandleMessage(uint8_t* data, size_t length, size_t segmentSize) {
  if (segmentSize == 0 || segmentSize > length) segmentSize = length;
  if (segmentSize < length) counters_->Add(k_groMessages);
  for (size_t offset = 0; offset < length; offset += segmentSize) {
    const size_t size = length - offset < segmentSize ? length - offset : segmentSize;
    counters_->Add(k_udpReceivedDatagrams);
    counters_->Add(k_udpReceivedBytes, size);
    HandlePacket(data + offset, size);
  }
  if (length == 0) {  // an empty datagram is a datagram too
    counters_->Add(k_udpReceivedDatagrams);
    counters_->Add(k_dropShort);
  }
}

void RxProcessor::HandlePacket(uint8_t* p, size_t n) {
  switch (CheckInbound(p, n, maxPacket_)) {
    case Verdict::kOk:
      break;
    case Verdict::kShort:
      counters_->Add(k_dropShort);
      return;
    case Verdict::kNotIpv4:
      counters_->Add(k_dropNotIpv4);
      return;
    case Verdict::kBadLength:
      counters_->Add(k_dropBadLength);
      return;
    case Verdict::kTooLarge:
      counters_->Add(k_dropTooLarge);
      return;
    case Verdict::kTtlExpired:
      counters_->Add(k_dropTtlIn);
      return;
  }
  if (vnetHeader_ && TcpCoalescer::Candidate(p, n)) {
    if (run_.active() && run_.Accepts(p, n)) {
      run_.Append(p, n);
      return;
    }
    FlushRun();
    run_.Start(p, n);
    return;
  }
  FlushRun();
  WriteSingle(p, n);
}

void RxProcessor::WriteSingle(uint8_t* p, size_t n) {
  DecrementTtl(p);
  if (vnetHeader_) {
    const iovec pieces[2] = {{&plainHeader_, sizeof(plainHeader_)}, {p, n}};
    Write(pieces, 2, n, 1);
  } else {
    const iovec piece = {p, n};
    Write(&piece, 1, n, 1);
  }
}

void RxProcessor::FlushRun() {
  if (!run_.active()) return;
  const size_t segments = run_.segments();
  const std::vector<iovec>& pieces = run_.Take();
  size_t bytes = 0;
  for (size_t i = 1; i < pieces.size(); i++) bytes += pieces[i].iov_len;
  Write(pieces.data(), static_cast<int>(pieces.size()), bytes, segments);
}

void RxProcessor::Write(const iovec* pieces, int count, size_t bytes, size_t segments) {
  if (sink_->Write(pieces, count) < 0) {
    counters_->Add(k_dropTunWriteError, segments);
    return;
  }
  counters_->Add(k_tunWrittenPackets);
  counters_->Add(k_tunWrittenBytes, bytes);
  if (segments > 1) {
    counters_->Add(k_tunWrittenCoalesced);
    counters_->Add(k_coalescedSegments, segments);
  }
}

}  // namespace udpdp
