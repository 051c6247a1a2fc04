// records.cc: field-by-field parsing of RTM_NEWLINK/ADDR/ROUTE/NEIGH (and their DEL twins).

#include "records.h"

#include <arpa/inet.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include <cstdio>

namespace netlink {

namespace {

bool IsIPv4(const nlattr* attr) { return attr != nullptr && nla_len(attr) == 4; }

std::string FormatMac(const nlattr* attr) {
  if (attr == nullptr || nla_len(attr) <= 0) return "";
  const auto* bytes = static_cast<const unsigned char*>(nla_data(attr));
  std::string text;
  char part[4];
  for (int i = 0; i < nla_len(attr); i++) {
    std::snprintf(part, sizeof(part), i == 0 ? "%02x" : ":%02x", bytes[i]);
    text += part;
  }
  return text;
}

uint32_t U32Or(const nlattr* attr, uint32_t fallback) {
  return attr != nullptr && nla_len(attr) >= 4 ? nla_get_u32(const_cast<nlattr*>(attr)) : fallback;
}

std::optional<VxlanRecord> ParseVxlan(nlattr* data) {
  nlattr* tb[IFLA_VXLAN_MAX + 1] = {};
  if (data == nullptr || nla_parse_nested(tb, IFLA_VXLAN_MAX, data, nullptr) < 0) return std::nullopt;
  VxlanRecord vxlan;
  vxlan.vni = U32Or(tb[IFLA_VXLAN_ID], 0);
  if (IsIPv4(tb[IFLA_VXLAN_LOCAL])) vxlan.local = FormatIPv4(nla_data(tb[IFLA_VXLAN_LOCAL]));
  if (tb[IFLA_VXLAN_PORT] != nullptr && nla_len(tb[IFLA_VXLAN_PORT]) >= 2) {
    vxlan.port = ntohs(nla_get_u16(tb[IFLA_VXLAN_PORT]));  // __be16 on the wire
  }
  vxlan.learning = tb[IFLA_VXLAN_LEARNING] != nullptr && nla_get_u8(tb[IFLA_VXLAN_LEARNING]) != 0;
  vxlan.gbp = tb[IFLA_VXLAN_GBP] != nullptr;
  vxlan.vtepIndex = U32Or(tb[IFLA_VXLAN_LINK], 0);
  return vxlan;
}

}  // namespace

std::string FormatIPv4(const void* networkOrder) {
  char text[INET_ADDRSTRLEN];
  return inet_ntop(AF_INET, networkOrder, text, sizeof(text)) != nullptr ? text : "";
}

bool ParseLink(nlmsghdr* nlh, LinkRecord* out) {
  nlattr* tb[IFLA_MAX + 1] = {};
  if (nlmsg_parse(nlh, sizeof(ifinfomsg), tb, IFLA_MAX, nullptr) < 0) return false;
  const auto* ifi = static_cast<const ifinfomsg*>(nlmsg_data(nlh));
  out->index = ifi->ifi_index;
  out->flags = ifi->ifi_flags;
  out->name = tb[IFLA_IFNAME] != nullptr ? nla_get_string(tb[IFLA_IFNAME]) : "";
  out->mtu = U32Or(tb[IFLA_MTU], 0);
  out->mac = FormatMac(tb[IFLA_ADDRESS]);
  out->masterIndex = U32Or(tb[IFLA_MASTER], 0);
  if (tb[IFLA_LINKINFO] != nullptr) {
    nlattr* info[IFLA_INFO_MAX + 1] = {};
    if (nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], nullptr) >= 0 && info[IFLA_INFO_KIND] != nullptr) {
      out->kind = nla_get_string(info[IFLA_INFO_KIND]);
      if (out->kind == "vxlan") out->vxlan = ParseVxlan(info[IFLA_INFO_DATA]);
    }
  }
  return true;
}

bool ParseAddr(nlmsghdr* nlh, AddrRecord* out) {
  nlattr* tb[IFA_MAX + 1] = {};
  if (nlmsg_parse(nlh, sizeof(ifaddrmsg), tb, IFA_MAX, nullptr) < 0) return false;
  const auto* ifa = static_cast<const ifaddrmsg*>(nlmsg_data(nlh));
  if (ifa->ifa_family != AF_INET) return false;
  // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point links.
  const nlattr* local = IsIPv4(tb[IFA_LOCAL]) ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
  if (!IsIPv4(local)) return false;
  out->index = ifa->ifa_index;
  out->prefixLen = ifa->ifa_prefixlen;
  out->address = FormatIPv4(nla_data(local));
  return true;
}

bool ParseRoute(nlmsghdr* nlh, RouteRecord* out) {
  nlattr* tb[RTA_MAX + 1] = {};
  if (nlmsg_parse(nlh, sizeof(rtmsg), tb, RTA_MAX, nullptr) < 0) return false;
  const auto* rtm = static_cast<const rtmsg*>(nlmsg_data(nlh));
  if (rtm->rtm_family != AF_INET) return false;
  const uint32_t any = 0;
  out->dst = FormatIPv4(IsIPv4(tb[RTA_DST]) ? nla_data(tb[RTA_DST]) : &any) + "/" + std::to_string(rtm->rtm_dst_len);
  if (IsIPv4(tb[RTA_GATEWAY])) out->gateway = FormatIPv4(nla_data(tb[RTA_GATEWAY]));
  if (IsIPv4(tb[RTA_PREFSRC])) out->prefsrc = FormatIPv4(nla_data(tb[RTA_PREFSRC]));
  out->oif = U32Or(tb[RTA_OIF], 0);
  out->table = U32Or(tb[RTA_TABLE], rtm->rtm_table);  // RTA_TABLE carries ids above 255
  out->protocol = rtm->rtm_protocol;
  out->scope = rtm->rtm_scope;
  out->type = rtm->rtm_type;
  if (tb[RTA_PRIORITY] != nullptr) out->priority = U32Or(tb[RTA_PRIORITY], 0);
  out->onlink = (rtm->rtm_flags & RTNH_F_ONLINK) != 0;
  out->multipath = tb[RTA_MULTIPATH] != nullptr;
  out->cloned = (rtm->rtm_flags & RTM_F_CLONED) != 0;
  return true;
}

bool ParseNeigh(nlmsghdr* nlh, NeighRecord* out) {
  nlattr* tb[NDA_MAX + 1] = {};
  if (nlmsg_parse(nlh, sizeof(ndmsg), tb, NDA_MAX, nullptr) < 0) return false;
  const auto* ndm = static_cast<const ndmsg*>(nlmsg_data(nlh));
  if (ndm->ndm_family != AF_INET && ndm->ndm_family != AF_BRIDGE) return false;
  // An IPv4 neighbour table entry always has an IPv4 NDA_DST; a bridge fdb entry may have one
  // (a vxlan remote), an IPv6 one (skipped) or none.
  if (ndm->ndm_family == AF_INET && !IsIPv4(tb[NDA_DST])) return false;
  out->index = static_cast<uint32_t>(ndm->ndm_ifindex);
  out->family = ndm->ndm_family;
  if (IsIPv4(tb[NDA_DST])) out->ip = FormatIPv4(nla_data(tb[NDA_DST]));
  out->mac = FormatMac(tb[NDA_LLADDR]);
  out->state = ndm->ndm_state;
  out->flags = ndm->ndm_flags;
  return true;
}

}  // namespace netlink
