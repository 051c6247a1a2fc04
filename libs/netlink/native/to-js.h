// to-js.h: records as the plain objects the TS facade declares (src/types.ts).
#pragma once

#include <napi.h>

#include "events.h"
#include "records.h"

namespace netlink {

Napi::Object ToJs(Napi::Env env, const LinkRecord& link);
Napi::Object ToJs(Napi::Env env, const AddrRecord& addr);
Napi::Object ToJs(Napi::Env env, const RouteRecord& route);
Napi::Object ToJs(Napi::Env env, const NeighRecord& neigh);
Napi::Object ToJs(Napi::Env env, const EventRecord& event);

template <typename Record>
Napi::Array ToJsArray(Napi::Env env, const std::vector<Record>& records) {
  Napi::Array array = Napi::Array::New(env, records.size());
  for (size_t i = 0; i < records.size(); i++) array.Set(static_cast<uint32_t>(i), ToJs(env, records[i]));
  return array;
}

}  // namespace netlink
