// to-js.cc: LinkInfo, AddrInfo, RouteInfo, NeighInfo and NetlinkEvent objects. Optional fields are
// left out rather than set to undefined, so objects compare cleanly in tests and logs.

#include "to-js.h"

#include <net/if.h>
#include <sys/socket.h>

namespace netlink {

namespace {

void SetIfNotEmpty(Napi::Object object, const char* key, const std::string& value) {
  if (!value.empty()) object.Set(key, value);
}

void SetIfNonZero(Napi::Object object, const char* key, uint32_t value) {
  if (value != 0) object.Set(key, value);
}

}  // namespace

Napi::Object ToJs(Napi::Env env, const LinkRecord& link) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("index", link.index);
  object.Set("name", link.name);
  SetIfNotEmpty(object, "kind", link.kind);
  object.Set("mtu", link.mtu);
  object.Set("up", (link.flags & IFF_UP) != 0);
  object.Set("flags", link.flags);
  SetIfNotEmpty(object, "mac", link.mac);
  SetIfNonZero(object, "masterIndex", link.masterIndex);
  if (link.vxlan) {
    Napi::Object vxlan = Napi::Object::New(env);
    vxlan.Set("vni", link.vxlan->vni);
    SetIfNotEmpty(vxlan, "local", link.vxlan->local);
    vxlan.Set("port", link.vxlan->port);
    vxlan.Set("learning", link.vxlan->learning);
    vxlan.Set("gbp", link.vxlan->gbp);
    SetIfNonZero(vxlan, "vtepIndex", link.vxlan->vtepIndex);
    object.Set("vxlan", vxlan);
  }
  return object;
}

Napi::Object ToJs(Napi::Env env, const AddrRecord& addr) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("index", addr.index);
  object.Set("address", addr.address);
  object.Set("prefixLen", addr.prefixLen);
  return object;
}

Napi::Object ToJs(Napi::Env env, const RouteRecord& route) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("dst", route.dst);
  SetIfNotEmpty(object, "gateway", route.gateway);
  SetIfNonZero(object, "oif", route.oif);
  SetIfNotEmpty(object, "prefsrc", route.prefsrc);
  object.Set("table", route.table);
  object.Set("protocol", route.protocol);
  object.Set("scope", route.scope);
  object.Set("type", route.type);
  if (route.priority) object.Set("priority", *route.priority);
  object.Set("onlink", route.onlink);
  object.Set("multipath", route.multipath);
  return object;
}

Napi::Object ToJs(Napi::Env env, const NeighRecord& neigh) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("index", neigh.index);
  object.Set("family", neigh.family == AF_BRIDGE ? "bridge" : "inet");
  SetIfNotEmpty(object, "ip", neigh.ip);
  SetIfNotEmpty(object, "mac", neigh.mac);
  object.Set("state", neigh.state);
  object.Set("flags", neigh.flags);
  return object;
}

Napi::Object ToJs(Napi::Env env, const EventRecord& event) {
  Napi::Object object = Napi::Object::New(env);
  const char* action = event.added ? "new" : "del";
  switch (event.kind) {
    case EventRecord::Kind::Link:
      object.Set("kind", "link");
      object.Set("action", action);
      object.Set("link", ToJs(env, event.link));
      break;
    case EventRecord::Kind::Addr:
      object.Set("kind", "addr");
      object.Set("action", action);
      object.Set("addr", ToJs(env, event.addr));
      break;
    case EventRecord::Kind::Route:
      object.Set("kind", "route");
      object.Set("action", action);
      object.Set("route", ToJs(env, event.route));
      break;
    case EventRecord::Kind::Neigh:
      object.Set("kind", "neigh");
      object.Set("action", action);
      object.Set("neigh", ToJs(env, event.neigh));
      break;
    case EventRecord::Kind::Overflow:
      object.Set("kind", "overflow");
      break;
    case EventRecord::Kind::Error:
      object.Set("kind", "error");
      object.Set("error", ErrorObject(env, event.error));
      break;
  }
  return object;
}

}  // namespace netlink
