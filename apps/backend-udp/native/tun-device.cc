#include "tun-device.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "vnet-header.h"

namespace udpdp {

namespace {

constexpr const char* kCloneDevice = "/dev/net/tun";
// Without TSO the kernel cuts each TCP super-packet from a pod into ~45 packets before queueing
// them to the TUN, whose queue drops when full: 500 (the default) holds only ~11 of them.
constexpr int kPlainTxQueueLength = 4096;

// Best effort: a shorter queue costs throughput, not function.
void SetTxQueueLength(const std::string& name, int length) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, name.data(), name.size() < IFNAMSIZ - 1 ? name.size() : IFNAMSIZ - 1);
  ifr.ifr_qlen = length;
  ioctl(fd, SIOCSIFTXQLEN, &ifr);
  close(fd);
}

void CloseAll(TunDevice* tun) {
  for (const int fd : tun->fds) close(fd);
  tun->fds.clear();
}

// Opens one queue of `name` (a template such as "flannel%d" for the first one).
Outcome Attach(const std::string& name, short flags, int* fd, std::string* actualName) {
  const std::string target = std::string(kCloneDevice) + " " + name;
  if (name.empty() || name.size() >= IFNAMSIZ) return Outcome::Fail(EINVAL, "ioctl(TUNSETIFF)", target);
  const int opened = open(kCloneDevice, O_RDWR | O_CLOEXEC | O_NONBLOCK);
  if (opened < 0) return Outcome::Fail(errno, "open", kCloneDevice);
  ifreq ifr{};
  ifr.ifr_flags = flags;
  std::memcpy(ifr.ifr_name, name.data(), name.size());
  if (ioctl(opened, TUNSETIFF, &ifr) < 0) {
    const int error = errno;
    close(opened);
    return Outcome::Fail(error, "ioctl(TUNSETIFF)", target);
  }
  *fd = opened;
  actualName->assign(ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ));
  return Outcome{};
}

Outcome Create(const std::string& nameTemplate, size_t queues, bool vnetHeader, TunDevice* out) {
  const short base = static_cast<short>(IFF_TUN | IFF_NO_PI | (vnetHeader ? IFF_VNET_HDR : 0));
  int first = -1;
  Outcome opened = Attach(nameTemplate, static_cast<short>(base | IFF_MULTI_QUEUE), &first, &out->name);
  if (!opened.ok() && opened.error == EINVAL) {
    // A kernel without IFF_MULTI_QUEUE: one queue.
    queues = 1;
    opened = Attach(nameTemplate, base, &first, &out->name);
  }
  if (!opened.ok()) return opened;
  out->fds.assign(1, first);
  out->vnetHeader = vnetHeader;
  for (size_t i = 1; i < queues; i++) {
    int fd = -1;
    std::string same;
    const Outcome attached = Attach(out->name, static_cast<short>(base | IFF_MULTI_QUEUE), &fd, &same);
    if (!attached.ok()) {
      CloseAll(out);
      return attached;
    }
    out->fds.push_back(fd);
  }
  return Outcome{};
}

Outcome EnableOffloads(const TunDevice& tun) {
  for (const int fd : tun.fds) {
    int size = static_cast<int>(kVnetHeaderSize);
    if (ioctl(fd, TUNSETVNETHDRSZ, &size) < 0) return Outcome::Fail(errno, "ioctl(TUNSETVNETHDRSZ)", tun.name);
    const unsigned int offloads = TUN_F_CSUM | TUN_F_TSO4;
    if (ioctl(fd, TUNSETOFFLOAD, offloads) < 0) return Outcome::Fail(errno, "ioctl(TUNSETOFFLOAD)", tun.name);
  }
  return Outcome{};
}

}  // namespace

size_t DefaultTunQueues() {
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  return std::clamp<size_t>(online > 0 ? static_cast<size_t>(online) : 1, 1, kMaxTunQueues);
}

Outcome OpenTun(const std::string& nameTemplate, size_t queues, bool offloads, TunDevice* out, std::string* offloadProblem) {
  if (offloads) {
    const Outcome created = Create(nameTemplate, queues, true, out);
    if (!created.ok()) return created;
    const Outcome enabled = EnableOffloads(*out);
    if (enabled.ok()) return enabled;
    *offloadProblem = enabled.syscall + " on " + enabled.target + ": " + std::strerror(enabled.error);
    CloseAll(out);
  }
  const Outcome created = Create(nameTemplate, queues, false, out);
  if (created.ok()) SetTxQueueLength(out->name, kPlainTxQueueLength);
  return created;
}

}  // namespace udpdp
