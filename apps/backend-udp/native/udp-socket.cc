#include "udp-socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace udpdp {

namespace {

std::string Endpoint(uint32_t address, uint16_t port) {
  in_addr a{htonl(address)};
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &a, text, sizeof(text));
  return std::string(text) + ":" + std::to_string(port);
}

void ForceBuffer(int fd, int force, int fallback, int bytes) {
  if (setsockopt(fd, SOL_SOCKET, force, &bytes, sizeof(bytes)) < 0) setsockopt(fd, SOL_SOCKET, fallback, &bytes, sizeof(bytes));
}

}  // namespace

Outcome OpenUdp(uint32_t address, uint16_t port, int bufferBytes, bool reusePort, UdpSocket* out, std::string* offloadProblem) {
  const std::string endpoint = Endpoint(address, port);
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Outcome::Fail(errno, "socket", endpoint);
  ForceBuffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, bufferBytes);
  ForceBuffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, bufferBytes);
  const int enable = 1;
  if (reusePort && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &enable, sizeof(enable)) < 0) {
    const int error = errno;
    close(fd);
    return Outcome::Fail(error, "setsockopt(SO_REUSEPORT)", endpoint);
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(address);
  addr.sin_port = htons(port);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) < 0) {
    const int error = errno;
    close(fd);
    return Outcome::Fail(error, "bind", endpoint);
  }
  out->fd = fd;
  out->gso = out->gro = false;
  const int zero = 0, one = 1;
  // Probing with 0 leaves segmentation to each message's UDP_SEGMENT control message.
  if (setsockopt(fd, SOL_UDP, UDP_SEGMENT, &zero, sizeof(zero)) == 0) out->gso = true;
  else *offloadProblem = std::string("setsockopt(UDP_SEGMENT): ") + std::strerror(errno);
  if (setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof(one)) == 0) out->gro = true;
  else *offloadProblem = std::string("setsockopt(UDP_GRO): ") + std::strerror(errno);
  return Outcome{};
}

}  // namespace udpdp
