// netlink.cc: the addon's functions, over rtnetlink (IPv4), for flannel-ts.
//
//   listLinks() / getLink(index, name)           RTM_GETLINK (dump / one, by index or by name)
//   setLink(index, up|null, mtu)                 RTM_NEWLINK on an existing link (mtu 0: keep)
//   deleteLink(index)                            RTM_DELLINK
//   createVxlan({name, vni, local, vtepIndex, port, learning, gbp, mac, mtu})
//   listAddrs() / changeAddr(op, index, address, prefixLen)
//   changeRoute(op, {dst, dstLen, gateway, oif, table, protocol, scope, type, priority|null, onlink})
//   lookupRoute(address)                         RTM_GETROUTE for one address
//   changeNeigh(op, {family, index, ip, mac, state, flags})
//   openRoutes(table) / openNeighs(family, index) / nextPage(dump, max)
//                                                IPv4 routes of a table, neighbours of a family and link
//                                                (0: every table/link): a dump handed over a page at a time
//   changeBatch([{route} | {neigh}])             replaces of routes and neighbours, in order, off the
//                                                main thread: a Promise
//   dumpRetries()                                interrupted dumps repeated so far
//   Subscription                                 change notifications (subscription.h)
//
// Arguments are primitives or flat objects of primitives, every field present ("" or 0 for
// "none"); the typed facade is src/index.ts (raw typing: src/native.d.ts), which also picks the
// defaults. Calls but changeBatch are synchronous: a request on a local netlink socket takes microseconds to
// milliseconds. A failure throws an Error with `code` ("EEXIST"), `errno` (negative), `syscall`
// ("netlink") and the kernel's message; the facade prefixes what was being done. Built without C++
// exceptions: every error path throws into JS and returns at once.

#include <napi.h>

#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <sys/prctl.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "args.h"
#include "failure.h"
#include "records.h"
#include "requests.h"
#include "socket.h"
#include "subscription.h"
#include "to-js.h"

namespace netlink {

namespace {

constexpr uint32_t kMaxIndex = INT32_MAX;

// Dumps `type` into `records`: every record `parse` accepts and `keep` keeps.
template <typename Record, typename Header, typename Keep>
Outcome DumpRecords(int type, const Header& header, bool (*parse)(nlmsghdr*, Record*), const Keep& keep, std::vector<Record>* records) {
  return Dump(
      type, &header, sizeof(header),
      [&](nlmsghdr* nlh) {
        Record record;
        if (parse(nlh, &record) && keep(record)) records->push_back(std::move(record));
      },
      [&]() { records->clear(); });
}

// DumpRecords as a JS array.
template <typename Record, typename Header, typename Keep>
Napi::Value DumpAll(Napi::Env env, int type, const Header& header, bool (*parse)(nlmsghdr*, Record*), const Keep& keep) {
  std::vector<Record> records;
  Outcome outcome = DumpRecords(type, header, parse, keep, &records);
  if (!outcome.ok()) return Throw(env, outcome);
  return ToJsArray(env, records);
}

// A dump's records, kept in C++ and handed to JS a page at a time: a listing of thousands of
// entries then never has every JS object alive at once (those a caller drops die young).
class DumpPages {
 public:
  virtual ~DumpPages() = default;
  virtual Napi::Array Next(Napi::Env env, uint32_t max) = 0;
};

template <typename Record>
class DumpPagesOf : public DumpPages {
 public:
  explicit DumpPagesOf(std::vector<Record> records) : records_(std::move(records)) {}

  Napi::Array Next(Napi::Env env, uint32_t max) override {
    const size_t count = std::min<size_t>(max, records_.size() - at_);
    Napi::Array page = Napi::Array::New(env, count);
    for (size_t i = 0; i < count; i++) page.Set(static_cast<uint32_t>(i), ToJs(env, records_[at_ + i]));
    at_ += count;
    if (at_ == records_.size()) {  // all given: the memory goes now, not when V8 collects the handle
      std::vector<Record>().swap(records_);
      at_ = 0;
    }
    return page;
  }

 private:
  std::vector<Record> records_;
  size_t at_ = 0;
};

// DumpRecords as an opaque handle for nextPage.
template <typename Record, typename Header, typename Keep>
Napi::Value DumpInPages(Napi::Env env, int type, const Header& header, bool (*parse)(nlmsghdr*, Record*), const Keep& keep) {
  std::vector<Record> records;
  Outcome outcome = DumpRecords(type, header, parse, keep, &records);
  if (!outcome.ok()) return Throw(env, outcome);
  DumpPages* pages = new DumpPagesOf<Record>(std::move(records));
  return Napi::External<DumpPages>::New(env, pages, [](Napi::Env, DumpPages* p) { delete p; });
}

Napi::Value Done(Napi::Env env, const Outcome& outcome) {
  return outcome.ok() ? env.Undefined() : Throw(env, outcome);
}

// listLinks(): LinkInfo[]
Napi::Value ListLinks(const Napi::CallbackInfo& info) {
  ifinfomsg header{};
  header.ifi_family = AF_UNSPEC;
  return DumpAll<LinkRecord>(info.Env(), RTM_GETLINK, header, ParseLink, [](const LinkRecord&) { return true; });
}

// getLink(index: number, name: string): LinkInfo  (index 0: by name; ENODEV when absent)
Napi::Value GetLink(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t index;
  std::string name;
  if (!ReadUint32(info[0], "index", &index, kMaxIndex) || !ReadString(info[1], "name", &name)) return env.Undefined();
  std::vector<LinkRecord> found;
  Outcome outcome = Request(LinkGetMessage(static_cast<int32_t>(index), name), [&](nlmsghdr* nlh) {
    LinkRecord link;
    if (ParseLink(nlh, &link)) found.push_back(std::move(link));
  });
  if (!outcome.ok()) return Throw(env, outcome);
  if (found.empty()) return Throw(env, FromErrno(ENODEV, "no link in the reply"));
  return ToJs(env, found.front());
}

// setLink(index: number, up: boolean | null, mtu: number): undefined
Napi::Value SetLink(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t index;
  uint32_t mtu;
  std::optional<bool> up;
  if (!ReadUint32(info[0], "index", &index, kMaxIndex)) return env.Undefined();
  if (!info[1].IsNull()) {
    bool value;
    if (!ReadBool(info[1], "up", &value)) return env.Undefined();
    up = value;
  }
  if (!ReadUint32(info[2], "mtu", &mtu)) return env.Undefined();
  return Done(env, Request(LinkSetMessage(static_cast<int32_t>(index), up, mtu)));
}

// deleteLink(index: number): undefined
Napi::Value DeleteLink(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t index;
  if (!ReadUint32(info[0], "index", &index, kMaxIndex)) return env.Undefined();
  return Done(env, Request(LinkDeleteMessage(static_cast<int32_t>(index))));
}

// createVxlan(spec: RawVxlanSpec): undefined
Napi::Value CreateVxlan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o;
  VxlanSpec spec;
  uint32_t port;
  if (!ReadObject(info[0], "vxlan spec", &o) || !ReadString(o.Get("name"), "name", &spec.name) ||
      !ReadUint32(o.Get("vni"), "vni", &spec.vni, 0xffffff) || !ReadOptionalIPv4(o.Get("local"), "local", &spec.local) ||
      !ReadUint32(o.Get("vtepIndex"), "vtepIndex", &spec.vtepIndex, kMaxIndex) ||
      !ReadUint32(o.Get("port"), "port", &port, 65535) || !ReadBool(o.Get("learning"), "learning", &spec.learning) ||
      !ReadBool(o.Get("gbp"), "gbp", &spec.gbp) || !ReadOptionalMac(o.Get("mac"), "mac", &spec.mac) ||
      !ReadUint32(o.Get("mtu"), "mtu", &spec.mtu)) {
    return env.Undefined();
  }
  spec.port = static_cast<uint16_t>(port);
  return Done(env, Request(VxlanCreateMessage(spec)));
}

// listAddrs(): AddrInfo[]  (IPv4)
Napi::Value ListAddrs(const Napi::CallbackInfo& info) {
  ifaddrmsg header{};
  header.ifa_family = AF_INET;
  return DumpAll<AddrRecord>(info.Env(), RTM_GETADDR, header, ParseAddr, [](const AddrRecord&) { return true; });
}

// changeAddr(op: 'add' | 'delete', index: number, address: string, prefixLen: number): undefined
Napi::Value ChangeAddr(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Change change;
  AddrSpec spec;
  uint32_t prefixLen;
  if (!ReadChange(info[0], true, false, &change) || !ReadUint32(info[1], "index", &spec.index, kMaxIndex) ||
      !ReadIPv4(info[2], "address", &spec.address) || !ReadUint32(info[3], "prefixLen", &prefixLen, 32)) {
    return env.Undefined();
  }
  spec.prefixLen = static_cast<uint8_t>(prefixLen);
  return Done(env, Request(AddrMessage(change, spec)));
}

// openRoutes(table: number): Dump  (IPv4 routes of `table`, of every table if 0; no cache clones)
Napi::Value OpenRoutes(const Napi::CallbackInfo& info) {
  uint32_t table;
  if (!ReadUint32(info[0], "table", &table)) return info.Env().Undefined();
  rtmsg header{};
  header.rtm_family = AF_INET;
  return DumpInPages<RouteRecord>(info.Env(), RTM_GETROUTE, header, ParseRoute,
                                  [table](const RouteRecord& route) { return !route.cloned && (table == 0 || route.table == table); });
}

// A RawRouteSpec; false (a JS exception pending) when a field is wrong.
bool ReadRouteSpec(const Napi::Value& value, RouteSpec* spec) {
  Napi::Object o;
  uint32_t dstLen, protocol, scope, type;
  if (!ReadObject(value, "route spec", &o) || !ReadIPv4(o.Get("dst"), "dst", &spec->dst) ||
      !ReadUint32(o.Get("dstLen"), "dstLen", &dstLen, 32) || !ReadOptionalIPv4(o.Get("gateway"), "gateway", &spec->gateway) ||
      !ReadUint32(o.Get("oif"), "oif", &spec->oif, kMaxIndex) || !ReadUint32(o.Get("table"), "table", &spec->table) ||
      !ReadUint32(o.Get("protocol"), "protocol", &protocol, 255) || !ReadUint32(o.Get("scope"), "scope", &scope, 255) ||
      !ReadUint32(o.Get("type"), "type", &type, 255) || !ReadBool(o.Get("onlink"), "onlink", &spec->onlink)) {
    return false;
  }
  Napi::Value priority = o.Get("priority");
  if (!priority.IsNull()) {
    uint32_t number;
    if (!ReadUint32(priority, "priority", &number)) return false;
    spec->priority = number;
  }
  spec->dstLen = static_cast<uint8_t>(dstLen);
  spec->protocol = static_cast<uint8_t>(protocol);
  spec->scope = static_cast<uint8_t>(scope);
  spec->type = static_cast<uint8_t>(type);
  return true;
}

// changeRoute(op: 'add' | 'replace' | 'delete', spec: RawRouteSpec): undefined
Napi::Value ChangeRoute(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Change change;
  RouteSpec spec;
  if (!ReadChange(info[0], true, true, &change) || !ReadRouteSpec(info[1], &spec)) return env.Undefined();
  return Done(env, Request(RouteMessage(change, spec)));
}

// One changeBatch call: its requests run in order on a libuv pool thread (with that thread's own
// socket), so the main thread does other work meanwhile.
struct BatchItem {
  Change change;
  bool isRoute = true;
  RouteSpec route;
  NeighSpec neigh;
};

class ChangeBatch : public Napi::AsyncWorker {
 public:
  ChangeBatch(Napi::Env env, std::vector<BatchItem> items)
      : Napi::AsyncWorker(env, "netlink.changeBatch"), deferred_(Napi::Promise::Deferred::New(env)), items_(std::move(items)) {}

  Napi::Promise promise() const { return deferred_.Promise(); }

  void Execute() override {
    // libuv leaves its pool threads unnamed ("node"): this one then shows in `top -H` by what it did.
    prctl(PR_SET_NAME, "netlink-batch", 0, 0, 0);
    outcomes_.reserve(items_.size());
    for (const BatchItem& item : items_) {
      outcomes_.push_back(Request(item.isRoute ? RouteMessage(item.change, item.route) : NeighMessage(item.change, item.neigh)));
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Array results = Napi::Array::New(env, outcomes_.size());
    for (uint32_t i = 0; i < outcomes_.size(); i++) {
      results.Set(i, outcomes_[i].ok() ? env.Undefined() : Napi::Value(ErrorObject(env, outcomes_[i])));
    }
    deferred_.Resolve(results);
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<BatchItem> items_;
  std::vector<Outcome> outcomes_;
};

Napi::Value QueueBatch(Napi::Env env, std::vector<BatchItem> items) {
  auto* batch = new ChangeBatch(env, std::move(items));  // deletes itself once settled
  Napi::Promise promise = batch->promise();
  batch->Queue();
  return promise;
}

// lookupRoute(address: string): RouteInfo  (the kernel's answer to `ip route get <address>`)
Napi::Value LookupRoute(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  in_addr_t address;
  if (!ReadIPv4(info[0], "address", &address)) return env.Undefined();
  std::vector<RouteRecord> found;
  Outcome outcome = Request(RouteLookupMessage(address), [&](nlmsghdr* nlh) {
    RouteRecord route;
    if (ParseRoute(nlh, &route)) found.push_back(std::move(route));
  });
  if (!outcome.ok()) return Throw(env, outcome);
  if (found.empty()) return Throw(env, FromErrno(ENETUNREACH, "no route in the reply"));
  return ToJs(env, found.front());
}

// openNeighs(family: 'inet' | 'bridge', index: number): Dump  (the family's entries of link `index`, of every link if 0)
Napi::Value OpenNeighs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ndmsg header{};
  uint32_t index;
  if (!ReadFamily(info[0], &header.ndm_family) || !ReadUint32(info[1], "index", &index, kMaxIndex)) return env.Undefined();
  const uint8_t family = header.ndm_family;
  return DumpInPages<NeighRecord>(env, RTM_GETNEIGH, header, ParseNeigh, [family, index](const NeighRecord& neigh) {
    return neigh.family == family && (index == 0 || neigh.index == index);
  });
}

// nextPage(dump: Dump, max: number): records[]  (the next at most `max`; empty once all were given)
Napi::Value NextPage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t max;
  if (!info[0].IsExternal()) {
    Napi::TypeError::New(env, "netlink: nextPage needs a dump from openRoutes or openNeighs").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (!ReadUint32(info[1], "max", &max)) return env.Undefined();
  return info[0].As<Napi::External<DumpPages>>().Data()->Next(env, max);
}

// A RawNeighSpec; false (a JS exception pending) when a field is wrong.
bool ReadNeighSpec(const Napi::Value& value, NeighSpec* spec) {
  Napi::Object o;
  uint32_t state, flags;
  if (!ReadObject(value, "neighbour spec", &o) || !ReadFamily(o.Get("family"), &spec->family) ||
      !ReadUint32(o.Get("index"), "index", &spec->index, kMaxIndex) || !ReadOptionalIPv4(o.Get("ip"), "ip", &spec->ip) ||
      !ReadOptionalMac(o.Get("mac"), "mac", &spec->mac) || !ReadUint32(o.Get("state"), "state", &state, 0xffff) ||
      !ReadUint32(o.Get("flags"), "flags", &flags, 255)) {
    return false;
  }
  spec->state = static_cast<uint16_t>(state);
  spec->flags = static_cast<uint8_t>(flags);
  return true;
}

// changeNeigh(op: 'replace' | 'delete', spec: RawNeighSpec): undefined
Napi::Value ChangeNeigh(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Change change;
  NeighSpec spec;
  if (!ReadChange(info[0], false, true, &change) || !ReadNeighSpec(info[1], &spec)) return env.Undefined();
  return Done(env, Request(NeighMessage(change, spec)));
}

// changeBatch(items: ({route: RawRouteSpec} | {neigh: RawNeighSpec})[]): Promise<(Error | undefined)[]>
// Each item a replace, sent in order on one pool thread; a wrong item throws before anything is sent.
Napi::Value ChangeBatchOf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) {
    Napi::TypeError::New(env, "netlink: batch items must be an array").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array list = info[0].As<Napi::Array>();
  std::vector<BatchItem> items(list.Length());
  for (uint32_t i = 0; i < items.size(); i++) {
    Napi::Object o;
    if (!ReadObject(list.Get(i), "batch item", &o)) return env.Undefined();
    BatchItem& item = items[i];
    item.change = Change::Replace;
    Napi::Value route = o.Get("route");
    if (!route.IsUndefined()) {
      if (!ReadRouteSpec(route, &item.route)) return env.Undefined();
    } else {
      item.isRoute = false;
      if (!ReadNeighSpec(o.Get("neigh"), &item.neigh)) return env.Undefined();
    }
  }
  return QueueBatch(env, std::move(items));
}

// dumpRetries(): number
Napi::Value DumpRetriesValue(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(DumpRetries()));
}

}  // namespace

}  // namespace netlink

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace netlink;
  exports.Set("listLinks", Napi::Function::New(env, ListLinks, "listLinks"));
  exports.Set("getLink", Napi::Function::New(env, GetLink, "getLink"));
  exports.Set("setLink", Napi::Function::New(env, SetLink, "setLink"));
  exports.Set("deleteLink", Napi::Function::New(env, DeleteLink, "deleteLink"));
  exports.Set("createVxlan", Napi::Function::New(env, CreateVxlan, "createVxlan"));
  exports.Set("listAddrs", Napi::Function::New(env, ListAddrs, "listAddrs"));
  exports.Set("changeAddr", Napi::Function::New(env, ChangeAddr, "changeAddr"));
  exports.Set("openRoutes", Napi::Function::New(env, OpenRoutes, "openRoutes"));
  exports.Set("openNeighs", Napi::Function::New(env, OpenNeighs, "openNeighs"));
  exports.Set("nextPage", Napi::Function::New(env, NextPage, "nextPage"));
  exports.Set("changeRoute", Napi::Function::New(env, ChangeRoute, "changeRoute"));
  exports.Set("lookupRoute", Napi::Function::New(env, LookupRoute, "lookupRoute"));
  exports.Set("changeNeigh", Napi::Function::New(env, ChangeNeigh, "changeNeigh"));
  exports.Set("changeBatch", Napi::Function::New(env, ChangeBatchOf, "changeBatch"));
  exports.Set("dumpRetries", Napi::Function::New(env, DumpRetriesValue, "dumpRetries"));
  exports.Set("Subscription", Subscription::Define(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(netlink, Init)
