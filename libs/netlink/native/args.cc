// args.cc: argument readers.

#include "args.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cmath>

namespace netlink {

namespace {

bool Fail(Napi::Env env, const char* what, const char* expected) {
  Napi::TypeError::New(env, std::string("netlink: ") + what + " must be " + expected).ThrowAsJavaScriptException();
  return false;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool ReadUint32(Napi::Value value, const char* what, uint32_t* out, uint32_t max) {
  if (!value.IsNumber()) return Fail(value.Env(), what, "a number");
  const double number = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(number) || number < 0 || number > max || std::floor(number) != number) {
    return Fail(value.Env(), what, ("an integer from 0 to " + std::to_string(max)).c_str());
  }
  *out = static_cast<uint32_t>(number);
  return true;
}

bool ReadString(Napi::Value value, const char* what, std::string* out) {
  if (!value.IsString()) return Fail(value.Env(), what, "a string");
  *out = value.As<Napi::String>().Utf8Value();
  return true;
}

bool ReadBool(Napi::Value value, const char* what, bool* out) {
  if (!value.IsBoolean()) return Fail(value.Env(), what, "a boolean");
  *out = value.As<Napi::Boolean>().Value();
  return true;
}

bool ReadObject(Napi::Value value, const char* what, Napi::Object* out) {
  if (!value.IsObject()) return Fail(value.Env(), what, "an object");
  *out = value.As<Napi::Object>();
  return true;
}

bool ReadIPv4(Napi::Value value, const char* what, in_addr_t* out) {
  std::string text;
  if (!ReadString(value, what, &text)) return false;
  in_addr addr{};
  if (inet_pton(AF_INET, text.c_str(), &addr) != 1) return Fail(value.Env(), what, "a dotted IPv4 address");
  *out = addr.s_addr;
  return true;
}

bool ReadOptionalIPv4(Napi::Value value, const char* what, std::optional<in_addr_t>* out) {
  if (value.IsString() && value.As<Napi::String>().Utf8Value().empty()) {
    out->reset();
    return true;
  }
  in_addr_t addr;
  if (!ReadIPv4(value, what, &addr)) return false;
  *out = addr;
  return true;
}

bool ReadOptionalMac(Napi::Value value, const char* what, std::optional<Mac>* out) {
  std::string text;
  if (!ReadString(value, what, &text)) return false;
  if (text.empty()) {
    out->reset();
    return true;
  }
  Mac mac{};
  bool valid = text.size() == 17;
  for (size_t i = 0; valid && i < mac.size(); i++) {
    const int high = HexDigit(text[3 * i]);
    const int low = HexDigit(text[3 * i + 1]);
    valid = high >= 0 && low >= 0 && (i == 5 || text[3 * i + 2] == ':');
    mac[i] = static_cast<uint8_t>(high * 16 + low);
  }
  if (!valid) return Fail(value.Env(), what, "a MAC like 0a:1b:2c:3d:4e:5f");
  *out = mac;
  return true;
}

bool ReadChange(Napi::Value value, bool allowAdd, bool allowReplace, Change* out) {
  std::string text;
  if (!ReadString(value, "operation", &text)) return false;
  if (text == "add" && allowAdd) {
    *out = Change::Add;
  } else if (text == "replace" && allowReplace) {
    *out = Change::Replace;
  } else if (text == "delete") {
    *out = Change::Delete;
  } else {
    return Fail(value.Env(), "operation", allowAdd ? (allowReplace ? "'add', 'replace' or 'delete'" : "'add' or 'delete'") : "'replace' or 'delete'");
  }
  return true;
}

bool ReadFamily(Napi::Value value, uint8_t* out) {
  std::string text;
  if (!ReadString(value, "family", &text)) return false;
  if (text == "inet") {
    *out = AF_INET;
  } else if (text == "bridge") {
    *out = AF_BRIDGE;
  } else {
    return Fail(value.Env(), "family", "'inet' or 'bridge'");
  }
  return true;
}

}  // namespace netlink
