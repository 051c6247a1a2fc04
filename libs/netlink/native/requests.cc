// requests.cc: message builders. Each attribute put can only fail when the message runs out of
// room (it never does at these sizes); a failure anywhere yields a null message (ENOMEM).

#include "requests.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

namespace netlink {

namespace {

int FlagsOf(Change change) {
  switch (change) {
    case Change::Add: return NLM_F_CREATE | NLM_F_EXCL;
    case Change::Replace: return NLM_F_CREATE | NLM_F_REPLACE;
    case Change::Delete: return 0;
  }
  return 0;
}

class Builder {
 public:
  template <typename Header>
  Builder(int type, int flags, const Header& header) : msg_(nlmsg_alloc_simple(type, flags)) {
    ok_ = msg_ && nlmsg_append(msg_.get(), const_cast<Header*>(&header), sizeof(header), NLMSG_ALIGNTO) >= 0;
  }

  void U8(int attr, uint8_t value) { ok_ = ok_ && nla_put_u8(msg_.get(), attr, value) >= 0; }
  void U16(int attr, uint16_t value) { ok_ = ok_ && nla_put_u16(msg_.get(), attr, value) >= 0; }
  void U32(int attr, uint32_t value) { ok_ = ok_ && nla_put_u32(msg_.get(), attr, value) >= 0; }
  void Flag(int attr) { ok_ = ok_ && nla_put_flag(msg_.get(), attr) >= 0; }
  void String(int attr, const std::string& value) { ok_ = ok_ && nla_put_string(msg_.get(), attr, value.c_str()) >= 0; }
  void IPv4(int attr, in_addr_t value) { ok_ = ok_ && nla_put(msg_.get(), attr, sizeof(value), &value) >= 0; }
  void Bytes(int attr, const Mac& mac) { ok_ = ok_ && nla_put(msg_.get(), attr, static_cast<int>(mac.size()), mac.data()) >= 0; }

  nlattr* Open(int attr) {
    nlattr* nest = ok_ ? nla_nest_start(msg_.get(), attr) : nullptr;
    ok_ = nest != nullptr;
    return nest;
  }
  void Close(nlattr* nest) { ok_ = ok_ && nla_nest_end(msg_.get(), nest) >= 0; }

  MsgPtr Finish() { return ok_ ? std::move(msg_) : nullptr; }

 private:
  MsgPtr msg_;
  bool ok_ = false;
};

}  // namespace

MsgPtr RouteMessage(Change change, const RouteSpec& spec) {
  rtmsg rtm{};
  rtm.rtm_family = AF_INET;
  rtm.rtm_dst_len = spec.dstLen;
  // Ids above 255 travel only in RTA_TABLE.
  rtm.rtm_table = spec.table < 256 ? static_cast<uint8_t>(spec.table) : static_cast<uint8_t>(RT_TABLE_UNSPEC);
  rtm.rtm_protocol = spec.protocol;
  rtm.rtm_scope = spec.scope;
  rtm.rtm_type = spec.type;
  rtm.rtm_flags = spec.onlink ? RTNH_F_ONLINK : 0;
  Builder b(change == Change::Delete ? RTM_DELROUTE : RTM_NEWROUTE, FlagsOf(change), rtm);
  b.U32(RTA_TABLE, spec.table);
  if (spec.dstLen > 0) b.IPv4(RTA_DST, spec.dst);
  if (spec.gateway) b.IPv4(RTA_GATEWAY, *spec.gateway);
  if (spec.oif != 0) b.U32(RTA_OIF, spec.oif);
  if (spec.priority) b.U32(RTA_PRIORITY, *spec.priority);
  return b.Finish();
}

MsgPtr RouteLookupMessage(in_addr_t dst) {
  rtmsg rtm{};
  rtm.rtm_family = AF_INET;
  rtm.rtm_dst_len = 32;
  Builder b(RTM_GETROUTE, 0, rtm);
  b.IPv4(RTA_DST, dst);
  return b.Finish();
}

MsgPtr AddrMessage(Change change, const AddrSpec& spec) {
  ifaddrmsg ifa{};
  ifa.ifa_family = AF_INET;
  ifa.ifa_prefixlen = spec.prefixLen;
  ifa.ifa_scope = RT_SCOPE_UNIVERSE;
  ifa.ifa_index = spec.index;
  Builder b(change == Change::Delete ? RTM_DELADDR : RTM_NEWADDR, FlagsOf(change), ifa);
  b.IPv4(IFA_LOCAL, spec.address);
  b.IPv4(IFA_ADDRESS, spec.address);
  if (change != Change::Delete && spec.prefixLen < 31) {
    // As flannel's netlink library does: the subnet's last address as broadcast.
    const uint32_t hostMask = spec.prefixLen == 0 ? 0xffffffffu : (1u << (32 - spec.prefixLen)) - 1;
    b.IPv4(IFA_BROADCAST, spec.address | htonl(hostMask));
  }
  return b.Finish();
}

MsgPtr LinkGetMessage(int32_t index, const std::string& name) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = index;
  Builder b(RTM_GETLINK, 0, ifi);
  if (index == 0) b.String(IFLA_IFNAME, name);
  return b.Finish();
}

MsgPtr LinkSetMessage(int32_t index, std::optional<bool> up, uint32_t mtu) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = index;
  if (up) {
    ifi.ifi_change = IFF_UP;
    ifi.ifi_flags = *up ? IFF_UP : 0;
  }
  Builder b(RTM_NEWLINK, 0, ifi);
  if (mtu != 0) b.U32(IFLA_MTU, mtu);
  return b.Finish();
}

MsgPtr LinkDeleteMessage(int32_t index) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = index;
  Builder b(RTM_DELLINK, 0, ifi);
  return b.Finish();
}

MsgPtr VxlanCreateMessage(const VxlanSpec& spec) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  Builder b(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, ifi);
  b.String(IFLA_IFNAME, spec.name);
  if (spec.mtu != 0) b.U32(IFLA_MTU, spec.mtu);
  if (spec.mac) b.Bytes(IFLA_ADDRESS, *spec.mac);
  nlattr* linkInfo = b.Open(IFLA_LINKINFO);
  b.String(IFLA_INFO_KIND, "vxlan");
  nlattr* data = b.Open(IFLA_INFO_DATA);
  b.U32(IFLA_VXLAN_ID, spec.vni);
  if (spec.local) b.IPv4(IFLA_VXLAN_LOCAL, *spec.local);
  if (spec.vtepIndex != 0) b.U32(IFLA_VXLAN_LINK, spec.vtepIndex);
  if (spec.port != 0) b.U16(IFLA_VXLAN_PORT, htons(spec.port));  // __be16 on the wire
  b.U8(IFLA_VXLAN_LEARNING, spec.learning ? 1 : 0);
  if (spec.gbp) b.Flag(IFLA_VXLAN_GBP);
  b.Close(data);
  b.Close(linkInfo);
  return b.Finish();
}

MsgPtr NeighMessage(Change change, const NeighSpec& spec) {
  ndmsg ndm{};
  ndm.ndm_family = spec.family;
  ndm.ndm_ifindex = static_cast<int32_t>(spec.index);
  ndm.ndm_state = spec.state;
  ndm.ndm_flags = spec.flags;
  ndm.ndm_type = spec.family == AF_INET ? RTN_UNICAST : 0;
  Builder b(change == Change::Delete ? RTM_DELNEIGH : RTM_NEWNEIGH, FlagsOf(change), ndm);
  if (spec.ip) b.IPv4(NDA_DST, *spec.ip);
  if (spec.mac) b.Bytes(NDA_LLADDR, *spec.mac);
  return b.Finish();
}

}  // namespace netlink
