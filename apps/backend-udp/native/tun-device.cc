#include "tun-device.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

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

Outcome Create(const std::string& nameTemplate, bool vnetHeader, TunDevice* out) {
  const std::string target = std::string(kCloneDevice) + " " + nameTemplate;
  if (nameTemplate.empty() || nameTemplate.size() >= IFNAMSIZ) return Outcome::Fail(EINVAL, "ioctl(TUNSETIFF)", target);
  const int fd = open(kCloneDevice, O_RDWR | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Outcome::Fail(errno, "open", kCloneDevice);
  ifreq ifr{};
  ifr.ifr_flags = static_cast<short>(IFF_TUN | IFF_NO_PI | (vnetHeader ? IFF_VNET_HDR : 0));
  std::memcpy(ifr.ifr_name, nameTemplate.data(), nameTemplate.size());
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    const int error = errno;
    close(fd);
    return Outcome::Fail(error, "ioctl(TUNSETIFF)", target);
  }
  out->fd = fd;
  out->name.assign(ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ));
  out->vnetHeader = vnetHeader;
  return Outcome{};
}

Outcome EnableOffloads(const TunDevice& tun) {
  int size = static_cast<int>(kVnetHeaderSize);
  if (ioctl(tun.fd, TUNSETVNETHDRSZ, &size) < 0) return Outcome::Fail(errno, "ioctl(TUNSETVNETHDRSZ)", tun.name);
  const unsigned int offloads = TUN_F_CSUM | TUN_F_TSO4;
  if (ioctl(tun.fd, TUNSETOFFLOAD, offloads) < 0) return Outcome::Fail(errno, "ioctl(TUNSETOFFLOAD)", tun.name);
  return Outcome{};
}

}  // namespace

Outcome OpenTun(const std::string& nameTemplate, bool offloads, TunDevice* out, std::string* offloadProblem) {
  if (offloads) {
    const Outcome created = Create(nameTemplate, true, out);
    if (!created.ok()) return created;
    const Outcome enabled = EnableOffloads(*out);
    if (enabled.ok()) return enabled;
    *offloadProblem = enabled.syscall + " on " + enabled.target + ": " + std::strerror(enabled.error);
    close(out->fd);
    out->fd = -1;
  }
  const Outcome created = Create(nameTemplate, false, out);
  if (created.ok()) SetTxQueueLength(out->name, kPlainTxQueueLength);
  return created;
}

}  // namespace udpdp
