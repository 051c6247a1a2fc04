// subscription.h: rtnetlink change notifications on a dedicated native thread.
//
// JS: new Subscription(groups: Array<'link'|'addr'|'route'|'neigh'>, onEvents: (events) => void)
//     .close()  stops the thread (joined), closes both descriptors; idempotent; no event after it
//     .ref() / .unref()  whether the subscription keeps the event loop alive (it does at first)
//
// The thread polls the notification socket and a stop eventfd; it parses what arrives and hands
// batches to JS through a thread-safe function. While open, the object keeps itself alive (like a
// timer), so dropping the last JS reference does not silently stop the events.
#pragma once

#include <napi.h>

#include <memory>
#include <thread>

#include "events.h"

namespace netlink {

class Listener;

class Subscription : public Napi::ObjectWrap<Subscription> {
 public:
  static Napi::Function Define(Napi::Env env);

  explicit Subscription(const Napi::CallbackInfo& info);
  ~Subscription() override;

  // Main-thread state shared with queued deliveries; freed by the thread-safe function's finalizer,
  // which may run after this object is gone.
  struct Delivery {
    bool open = true;
  };

 private:
  static void CallJs(Napi::Env env, Napi::Function onEvents, Delivery* delivery, EventBatch* batch);
  using EventsFunction = Napi::TypedThreadSafeFunction<Delivery, EventBatch, &Subscription::CallJs>;
  static void OnEnvCleanup(void* self);

  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value RefLoop(const Napi::CallbackInfo& info);
  Napi::Value UnrefLoop(const Napi::CallbackInfo& info);
  // Stops and joins the thread, closes the descriptors, releases the thread-safe function.
  // Touches no JS value, so it is safe in an environment cleanup hook.
  void Shutdown();

  napi_env env_ = nullptr;
  std::unique_ptr<Listener> listener_;
  std::thread thread_;
  EventsFunction events_;
  Delivery* delivery_ = nullptr;
  bool running_ = false;
  bool selfReferenced_ = false;
  bool cleanupHookAdded_ = false;
};

}  // namespace netlink
