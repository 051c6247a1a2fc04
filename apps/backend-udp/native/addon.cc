// addon.cc: the JS face of the udp datapath (see datapath.h). Raw typing: src/native.d.ts; the
// typed facade: src/datapath.ts.
//
//   new Datapath(nameTemplate: string, offloads: boolean, queues?: number)
//                                    creates the TUN device (queues: 1-8, default one per CPU)
//   tunName(): string
//   features(): { vnetHeader, gso, gro, steering: boolean, queues: number, problem, steeringProblem: string }
//   bind(address: number, port: number, bufferBytes: number)    addresses are uint32, host order
//   start(tunAddress: number, mtu: number) / stop() / close()
//   setPeers(routes: Uint32Array)    [network, prefixLength, peer] triples
//   setTunAddress(address: number)
//   counters(): Record<string, number>
//   failure(): string | undefined    a packet thread's fatal error
//   queueReads(): number[]           packets read from each TUN queue
//   queueHash(packet: Uint8Array): { program?: number, reference: number }
//                                    the steering program's verdict for an IPv4 packet, and its
//                                    C++ reference's (for tests)
//
// Failures throw an Error with `code`, `errno` (negative) and `syscall`, like Node's own. Built
// without C++ exceptions (node-addon-api's noexcept target). Descriptors are close-on-exec. An
// environment cleanup hook stops the threads if the process exits with the datapath running.
#include <napi.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "datapath.h"
#include "errno-error.h"
#include "flow-steering.h"
#include "tun-device.h"

namespace {

using udpdp::Datapath;
using udpdp::Outcome;

void ThrowOutcome(Napi::Env env, const Outcome& outcome) {
  native_addon::ThrowErrno(env, outcome.error, outcome.syscall, outcome.target);
}

bool IsUint32(const Napi::Value& value) {
  if (!value.IsNumber()) return false;
  const double d = value.As<Napi::Number>().DoubleValue();
  return d >= 0 && d <= 4294967295.0 && d == static_cast<double>(static_cast<uint32_t>(d));
}

class DatapathObject : public Napi::ObjectWrap<DatapathObject> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Datapath",
                       {
                           InstanceMethod<&DatapathObject::TunName>("tunName"),
                           InstanceMethod<&DatapathObject::Features>("features"),
                           InstanceMethod<&DatapathObject::Bind>("bind"),
                           InstanceMethod<&DatapathObject::Start>("start"),
                           InstanceMethod<&DatapathObject::Stop>("stop"),
                           InstanceMethod<&DatapathObject::Close>("close"),
                           InstanceMethod<&DatapathObject::SetPeers>("setPeers"),
                           InstanceMethod<&DatapathObject::SetTunAddress>("setTunAddress"),
                           InstanceMethod<&DatapathObject::Counters>("counters"),
                           InstanceMethod<&DatapathObject::Failure>("failure"),
                           InstanceMethod<&DatapathObject::QueueReads>("queueReads"),
                           InstanceMethod<&DatapathObject::QueueHash>("queueHash"),
                       });
  }

  explicit DatapathObject(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DatapathObject>(info), env_(info.Env()) {
    Napi::Env env = info.Env();
    const bool queuesGiven = info.Length() > 2 && !info[2].IsUndefined();
    if (info.Length() < 2 || !info[0].IsString() || !info[1].IsBoolean() ||
        (queuesGiven && (!IsUint32(info[2]) || info[2].As<Napi::Number>().Uint32Value() < 1 ||
                         info[2].As<Napi::Number>().Uint32Value() > udpdp::kMaxTunQueues))) {
      Napi::TypeError::New(env, "new Datapath(nameTemplate: string, offloads: boolean, queues?: 1-8)").ThrowAsJavaScriptException();
      return;
    }
    const size_t queues = queuesGiven ? info[2].As<Napi::Number>().Uint32Value() : 0;
    const Outcome opened = datapath_.Open(info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::Boolean>().Value(), queues);
    if (!opened.ok()) {
      ThrowOutcome(env, opened);
      return;
    }
    napi_add_env_cleanup_hook(env_, &DatapathObject::OnEnvCleanup, this);
    hooked_ = true;
  }

  ~DatapathObject() override {
    if (hooked_) napi_remove_env_cleanup_hook(env_, &DatapathObject::OnEnvCleanup, this);
  }

 private:
  static void OnEnvCleanup(void* self) { static_cast<DatapathObject*>(self)->datapath_.Close(); }

  Napi::Value TunName(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), datapath_.tun_name()); }

  Napi::Value Features(const Napi::CallbackInfo& info) {
    const udpdp::Features f = datapath_.features();
    Napi::Object out = Napi::Object::New(info.Env());
    out.Set("vnetHeader", f.vnetHeader);
    out.Set("gso", f.gso);
    out.Set("gro", f.gro);
    out.Set("queues", static_cast<double>(datapath_.queue_count()));
    out.Set("steering", f.steering);
    out.Set("problem", datapath_.offload_problem());
    out.Set("steeringProblem", datapath_.steering_problem());
    return out;
  }

  Napi::Value Bind(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !IsUint32(info[0]) || !IsUint32(info[1]) || !IsUint32(info[2]) ||
        info[1].As<Napi::Number>().Uint32Value() > 65535 || info[2].As<Napi::Number>().Uint32Value() > (1u << 30)) {
      Napi::TypeError::New(env, "bind(address: uint32, port: 0-65535, bufferBytes: uint32 ≤ 1 GiB)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    const Outcome bound = datapath_.Bind(info[0].As<Napi::Number>().Uint32Value(), static_cast<uint16_t>(info[1].As<Napi::Number>().Uint32Value()),
                                         static_cast<int>(info[2].As<Napi::Number>().Uint32Value()));
    if (!bound.ok()) ThrowOutcome(env, bound);
    return env.Undefined();
  }

  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !IsUint32(info[0]) || !IsUint32(info[1]) || info[1].As<Napi::Number>().Uint32Value() < 68 ||
        info[1].As<Napi::Number>().Uint32Value() > 65535) {
      Napi::TypeError::New(env, "start(tunAddress: uint32, mtu: 68-65535)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    const Outcome started = datapath_.Start(info[0].As<Napi::Number>().Uint32Value(), info[1].As<Napi::Number>().Uint32Value());
    if (!started.ok()) ThrowOutcome(env, started);
    return env.Undefined();
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    datapath_.Stop();
    return info.Env().Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    datapath_.Close();
    return info.Env().Undefined();
  }

  Napi::Value SetPeers(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array ||
        info[0].As<Napi::TypedArray>().ElementLength() % 3 != 0) {
      Napi::TypeError::New(env, "setPeers(routes: Uint32Array of [network, prefixLength, peer] triples)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Uint32Array flat = info[0].As<Napi::Uint32Array>();
    std::vector<udpdp::PeerRoute> routes;
    routes.reserve(flat.ElementLength() / 3);
    for (size_t i = 0; i < flat.ElementLength(); i += 3) {
      const uint32_t length = flat[i + 1];
      if (length > 32) {
        Napi::RangeError::New(env, "setPeers: prefix length " + std::to_string(length) + " of route " + std::to_string(i / 3) + " is above 32")
            .ThrowAsJavaScriptException();
        return env.Undefined();
      }
      routes.push_back(udpdp::PeerRoute{flat[i], static_cast<int>(length), flat[i + 2]});
    }
    datapath_.SetPeers(routes);
    return env.Undefined();
  }

  Napi::Value SetTunAddress(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !IsUint32(info[0])) {
      Napi::TypeError::New(env, "setTunAddress(address: uint32)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    datapath_.SetTunAddress(info[0].As<Napi::Number>().Uint32Value());
    return env.Undefined();
  }

  Napi::Value Counters(const Napi::CallbackInfo& info) {
    uint64_t values[udpdp::kCounterCount];
    datapath_.Snapshot(values);
    Napi::Object out = Napi::Object::New(info.Env());
    for (int i = 0; i < udpdp::kCounterCount; i++) out.Set(udpdp::kCounterNames[i], static_cast<double>(values[i]));
    return out;
  }

  Napi::Value Failure(const Napi::CallbackInfo& info) {
    const std::string failure = datapath_.failure();
    if (failure.empty()) return info.Env().Undefined();
    return Napi::String::New(info.Env(), failure);
  }

  Napi::Value QueueReads(const Napi::CallbackInfo& info) {
    const std::vector<uint64_t> reads = datapath_.QueueReads();
    Napi::Array out = Napi::Array::New(info.Env(), reads.size());
    for (size_t i = 0; i < reads.size(); i++) out.Set(static_cast<uint32_t>(i), static_cast<double>(reads[i]));
    return out;
  }

  Napi::Value QueueHash(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
      Napi::TypeError::New(env, "queueHash(packet: Uint8Array)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Uint8Array packet = info[0].As<Napi::Uint8Array>();
    Napi::Object out = Napi::Object::New(env);
    out.Set("reference", static_cast<double>(udpdp::FlowQueueHash(packet.Data(), packet.ElementLength())));
    uint32_t result = 0;
    if (datapath_.RunSteering(packet.Data(), packet.ElementLength(), &result)) out.Set("program", static_cast<double>(result));
    return out;
  }

  napi_env env_;
  bool hooked_ = false;
  Datapath datapath_;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Datapath", DatapathObject::Define(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(udp_datapath, Init)
