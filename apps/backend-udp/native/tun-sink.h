// tun-sink.h: where packets for the kernel go (the TUN descriptor, or a harness's counter).
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

namespace udpdp {

class TunSink {
 public:
  virtual ~TunSink() = default;
  // One packet (with its virtio header first when the TUN has one); like writev(2).
  virtual ssize_t Write(const iovec* pieces, int count) = 0;
};

}  // namespace udpdp
