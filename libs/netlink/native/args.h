// args.h: strict reading of the addon's arguments. The TS facade validates first (with messages
// for people); these checks only keep a wrong call from reaching the kernel. Each Read* returns
// false after throwing a TypeError that names `what`.
#pragma once

#include <napi.h>
#include <netinet/in.h>

#include <cstdint>
#include <optional>
#include <string>

#include "requests.h"

namespace netlink {

bool ReadUint32(Napi::Value value, const char* what, uint32_t* out, uint32_t max = UINT32_MAX);
bool ReadString(Napi::Value value, const char* what, std::string* out);
bool ReadBool(Napi::Value value, const char* what, bool* out);
bool ReadObject(Napi::Value value, const char* what, Napi::Object* out);
bool ReadIPv4(Napi::Value value, const char* what, in_addr_t* out);
// "" means absent.
bool ReadOptionalIPv4(Napi::Value value, const char* what, std::optional<in_addr_t>* out);
bool ReadOptionalMac(Napi::Value value, const char* what, std::optional<Mac>* out);
// 'add' | 'replace' | 'delete', limited to those `allowReplace`/`allowAdd` permit.
bool ReadChange(Napi::Value value, bool allowAdd, bool allowReplace, Change* out);
// 'inet' -> AF_INET, 'bridge' -> AF_BRIDGE.
bool ReadFamily(Napi::Value value, uint8_t* out);

}  // namespace netlink
