// records.h: rtnetlink messages parsed into plain C++ values, usable off the JS thread.
// IPv4 addresses are already formatted as dotted strings; "" means "absent".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <linux/netlink.h>

namespace netlink {

struct VxlanRecord {
  uint32_t vni = 0;
  std::string local;
  uint16_t port = 0;
  bool learning = false;
  bool gbp = false;
  uint32_t vtepIndex = 0;  // 0: none
};

struct LinkRecord {
  int32_t index = 0;
  std::string name;
  std::string kind;  // IFLA_INFO_KIND, "" when the driver reports none
  uint32_t mtu = 0;
  uint32_t flags = 0;  // IFF_*
  std::string mac;
  uint32_t masterIndex = 0;  // 0: none
  std::optional<VxlanRecord> vxlan;
};

struct AddrRecord {
  uint32_t index = 0;
  std::string address;
  uint8_t prefixLen = 0;
};

struct RouteRecord {
  std::string dst;  // "a.b.c.d/len"
  std::string gateway;
  std::string prefsrc;
  uint32_t oif = 0;  // 0: none
  uint32_t table = 0;
  uint8_t protocol = 0;
  uint8_t scope = 0;
  uint8_t type = 0;
  std::optional<uint32_t> priority;
  bool onlink = false;
  bool multipath = false;
  bool cloned = false;  // RTM_F_CLONED: a cache entry, not a configured route
};

struct NeighRecord {
  uint32_t index = 0;
  uint8_t family = 0;  // AF_INET or AF_BRIDGE
  std::string ip;
  std::string mac;
  uint16_t state = 0;
  uint8_t flags = 0;
};

// Each returns false (leaving *out unspecified) for a message it does not describe: another family,
// a truncated header, or malformed attributes.
bool ParseLink(nlmsghdr* nlh, LinkRecord* out);
bool ParseAddr(nlmsghdr* nlh, AddrRecord* out);
bool ParseRoute(nlmsghdr* nlh, RouteRecord* out);
bool ParseNeigh(nlmsghdr* nlh, NeighRecord* out);

std::string FormatIPv4(const void* networkOrder);

}  // namespace netlink
