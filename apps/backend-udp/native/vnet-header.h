// vnet-header.h: the virtio-net header that precedes every packet on a TUN opened with
// IFF_VNET_HDR (struct virtio_net_hdr, in host byte order: the TUN is not switched to
// little/big-endian mode). Declared here because <linux/virtio_net.h> does not compile as C++.
#pragma once

#include <cstddef>
#include <cstdint>

namespace udpdp {

struct virtio_net_hdr {
  uint8_t flags;
  uint8_t gso_type;
  uint16_t hdr_len;
  uint16_t gso_size;
  uint16_t csum_start;
  uint16_t csum_offset;
};
static_assert(sizeof(virtio_net_hdr) == 10, "struct virtio_net_hdr is 10 bytes");

constexpr size_t kVnetHeaderSize = sizeof(virtio_net_hdr);  // set with TUNSETVNETHDRSZ

constexpr uint8_t VIRTIO_NET_HDR_F_NEEDS_CSUM = 1;
constexpr uint8_t VIRTIO_NET_HDR_GSO_NONE = 0;
constexpr uint8_t VIRTIO_NET_HDR_GSO_TCPV4 = 1;
constexpr uint8_t VIRTIO_NET_HDR_GSO_ECN = 0x80;

}  // namespace udpdp
