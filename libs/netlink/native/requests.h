// requests.h: rtnetlink request messages, built field by field like iproute2 builds them.
// Addresses are in network byte order. A null MsgPtr means the message could not be allocated.
#pragma once

#include <netinet/in.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "socket.h"

namespace netlink {

using Mac = std::array<uint8_t, 6>;

// NLM_F_CREATE|NLM_F_EXCL, NLM_F_CREATE|NLM_F_REPLACE, or a delete.
enum class Change { Add, Replace, Delete };

struct RouteSpec {
  in_addr_t dst = 0;
  uint8_t dstLen = 0;
  std::optional<in_addr_t> gateway;
  uint32_t oif = 0;  // 0: none
  uint32_t table = 0;
  uint8_t protocol = 0;  // 0 on delete: any
  uint8_t scope = 0;     // RT_SCOPE_NOWHERE on delete: any
  uint8_t type = 0;      // RTN_UNSPEC on delete: any
  std::optional<uint32_t> priority;
  bool onlink = false;
};

struct AddrSpec {
  uint32_t index = 0;
  in_addr_t address = 0;
  uint8_t prefixLen = 0;
};

struct VxlanSpec {
  std::string name;
  uint32_t vni = 0;
  std::optional<in_addr_t> local;
  uint32_t vtepIndex = 0;  // 0: none
  uint16_t port = 0;       // 0: the kernel's default (8472)
  bool learning = false;
  bool gbp = false;
  std::optional<Mac> mac;
  uint32_t mtu = 0;  // 0: the kernel's choice
};

struct NeighSpec {
  uint8_t family = 0;  // AF_INET or AF_BRIDGE
  uint32_t index = 0;
  std::optional<in_addr_t> ip;
  std::optional<Mac> mac;
  uint16_t state = 0;
  uint8_t flags = 0;
};

MsgPtr RouteMessage(Change change, const RouteSpec& spec);
MsgPtr RouteLookupMessage(in_addr_t dst);  // RTM_GETROUTE for one address, as `ip route get`
MsgPtr AddrMessage(Change change, const AddrSpec& spec);
MsgPtr LinkGetMessage(int32_t index, const std::string& name);
MsgPtr LinkSetMessage(int32_t index, std::optional<bool> up, uint32_t mtu /* 0: keep */);
MsgPtr LinkDeleteMessage(int32_t index);
MsgPtr VxlanCreateMessage(const VxlanSpec& spec);
MsgPtr NeighMessage(Change change, const NeighSpec& spec);

}  // namespace netlink
