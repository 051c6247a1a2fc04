// datapath.h: the udp backend's packet pump. Owns the multi-queue TUN device, one UDP socket per
// queue (one SO_REUSEPORT group on the port) and two packet threads per queue (TUN → UDP,
// UDP → TUN); JS only opens, configures, starts and stops it.
//
//   Open(template, offloads)  creates the TUN device with one queue per CPU (it lives as long as
//                             its descriptors) and attaches the flow steering program
//                             (flow-steering.h)
//   Bind(address, port)       opens the UDP sockets
//   Start(tunAddress, mtu)    starts the threads; Stop() joins them; Start() again works
//   SetPeers(routes)          replaces the peer table while packets flow
//   Close()                   Stop() and close every descriptor (the device vanishes)
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "counters.h"
#include "loop-context.h"
#include "outcome.h"
#include "peer-table.h"

namespace udpdp {

struct Features {
  bool vnetHeader = false;  // TUN offloads: TCP super-packets in, GSO packets out
  bool gso = false;         // UDP_SEGMENT on the socket
  bool gro = false;         // UDP_GRO on the socket
  bool steering = false;    // the flow steering program picks each packet's TUN queue
};

class Datapath {
 public:
  Datapath() = default;
  Datapath(const Datapath&) = delete;
  Datapath& operator=(const Datapath&) = delete;
  ~Datapath() { Close(); }

  // `queues` 0: one per online CPU (DefaultTunQueues).
  Outcome Open(const std::string& nameTemplate, bool offloads, size_t queues = 0);
  Outcome Bind(uint32_t address, uint16_t port, int bufferBytes);
  Outcome Start(uint32_t tunAddress, size_t mtu);
  void Stop();
  void Close();

  void SetPeers(const std::vector<PeerRoute>& routes);
  void SetTunAddress(uint32_t address) { tunAddress_.store(address, std::memory_order_relaxed); }

  const std::string& tun_name() const { return tunName_; }
  Features features() const {
    Features f = features_;
    f.steering = steeringProgram_ >= 0;
    return f;
  }
  // Why an offload asked for is off ("" when none is).
  const std::string& offload_problem() const { return offloadProblem_; }
  // Why several queues have no steering program ("" when they have one or there is one queue).
  const std::string& steering_problem() const { return steeringProblem_; }
  // Packets each queue's TUN → UDP thread has read.
  std::vector<uint64_t> QueueReads() const;
  // What the steering program returns for `packet` (false when none is attached).
  bool RunSteering(const uint8_t* packet, size_t length, uint32_t* result) const;
  bool running() const { return running_; }
  size_t queue_count() const { return tun_.size(); }
  size_t peer_count() const { return peerCount_; }
  void Snapshot(uint64_t out[kCounterCount]) const { counters_.Snapshot(out); }
  // A packet thread's fatal error ("" when none): the thread has stopped.
  std::string failure() const { return failure_.Get(); }

 private:
  void AttachSteering();

  std::vector<int> tun_;  // one descriptor per queue
  std::vector<int> udp_;  // one socket per queue, same port
  int stop_ = -1;
  int raw_ = -1;
  int steeringProgram_ = -1;  // attached to the device; -1 without steering
  uint16_t port_ = 0;
  bool running_ = false;
  size_t peerCount_ = 0;
  std::string tunName_;
  std::string offloadProblem_;
  std::string steeringProblem_;
  std::unique_ptr<std::atomic<uint64_t>[]> queueReads_;
  Features features_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint32_t> tunAddress_{0};
  std::atomic<bool> icmp_{false};
  Counters counters_;
  PeerTables peers_;
  FailureSlot failure_;
  std::vector<LoopContext> contexts_;  // one per queue; fixed while the threads run
};

}  // namespace udpdp
