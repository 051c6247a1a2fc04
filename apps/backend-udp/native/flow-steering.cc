#include "flow-steering.h"

#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "bytes.h"
#include "ipv4.h"

namespace udpdp {

namespace {

constexpr uint8_t kProtoSctp = 132;
constexpr uint32_t kGolden = 0x9e3779b1;

// Offsets from the network header, whatever the skb's data points at (SKF_NET_OFF).
constexpr int32_t Net(int32_t offset) { return SKF_NET_OFF + offset; }

constexpr bpf_insn Insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  return bpf_insn{code, dst, src, off, imm};
}
constexpr bpf_insn MovReg(uint8_t dst, uint8_t src) { return Insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0); }
constexpr bpf_insn AluImm(uint8_t op, uint8_t dst, int32_t imm) { return Insn(BPF_ALU64 | op | BPF_K, dst, 0, 0, imm); }
constexpr bpf_insn AluReg(uint8_t op, uint8_t dst, uint8_t src) { return Insn(BPF_ALU64 | op | BPF_X, dst, src, 0, 0); }
constexpr bpf_insn Alu32Imm(uint8_t op, uint8_t dst, int32_t imm) { return Insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm); }
// LD_ABS / LD_IND: r0 = the packet's big-endian field (the context must be in r6; r1–r5 are lost;
// a read past the end ends the program with 0).
constexpr bpf_insn LoadAbs(uint8_t size, int32_t offset) { return Insn(BPF_LD | size | BPF_ABS, 0, 0, 0, offset); }
constexpr bpf_insn LoadInd(uint8_t size, uint8_t base, int32_t offset) { return Insn(BPF_LD | size | BPF_IND, 0, base, 0, offset); }
constexpr bpf_insn JumpImm(uint8_t op, uint8_t dst, int32_t imm, int16_t skip) { return Insn(BPF_JMP | op | BPF_K, dst, 0, skip, imm); }
constexpr bpf_insn Jump(int16_t skip) { return Insn(BPF_JMP | BPF_JA, 0, 0, skip, 0); }
constexpr bpf_insn Exit() { return Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

// FlowQueueHash, instruction by instruction (r7: IP header length, r8: the hash, r9: protocol).
const bpf_insn kProgram[] = {
    MovReg(BPF_REG_6, BPF_REG_1),
    LoadAbs(BPF_B, Net(0)),
    AluImm(BPF_AND, BPF_REG_0, 0x0f),
    AluImm(BPF_LSH, BPF_REG_0, 2),
    MovReg(BPF_REG_7, BPF_REG_0),
    LoadAbs(BPF_W, Net(kIpSource)),
    MovReg(BPF_REG_8, BPF_REG_0),
    LoadAbs(BPF_W, Net(kIpDestination)),
    AluReg(BPF_XOR, BPF_REG_8, BPF_REG_0),
    LoadAbs(BPF_B, Net(kIpProtocol)),
    MovReg(BPF_REG_9, BPF_REG_0),
    AluReg(BPF_XOR, BPF_REG_8, BPF_REG_0),
    LoadAbs(BPF_H, Net(kIpFragment)),
    AluImm(BPF_AND, BPF_REG_0, kIpMoreFragments | kIpOffsetMask),
    JumpImm(BPF_JNE, BPF_REG_0, 0, 10),  // a fragment: no ports
    JumpImm(BPF_JEQ, BPF_REG_9, kProtoTcp, 3),
    JumpImm(BPF_JEQ, BPF_REG_9, kProtoUdp, 2),
    JumpImm(BPF_JEQ, BPF_REG_9, kProtoSctp, 1),
    Jump(6),
    LoadInd(BPF_W, BPF_REG_7, Net(0)),  // source port << 16 | destination port
    MovReg(BPF_REG_1, BPF_REG_0),
    AluImm(BPF_RSH, BPF_REG_1, 16),
    AluReg(BPF_XOR, BPF_REG_0, BPF_REG_1),
    AluImm(BPF_AND, BPF_REG_0, 0xffff),
    AluReg(BPF_XOR, BPF_REG_8, BPF_REG_0),
    Alu32Imm(BPF_MUL, BPF_REG_8, static_cast<int32_t>(kGolden)),
    Alu32Imm(BPF_RSH, BPF_REG_8, 16),
    MovReg(BPF_REG_0, BPF_REG_8),
    Exit(),
};

long Bpf(int command, bpf_attr* attr) { return syscall(__NR_bpf, command, attr, sizeof(*attr)); }

}  // namespace

uint32_t FlowQueueHash(const uint8_t* p, size_t n) {
  if (n < kIpHeaderMin) return 0;
  const size_t ihl = IpHeaderLength(p);
  uint32_t hash = IpSource(p) ^ IpDestination(p) ^ p[kIpProtocol];
  const uint8_t protocol = p[kIpProtocol];
  const bool ports = (protocol == kProtoTcp || protocol == kProtoUdp || protocol == kProtoSctp) && !IsFragment(p);
  if (ports) {
    if (n < ihl + 4) return 0;
    hash ^= LoadBe16(p + ihl) ^ LoadBe16(p + ihl + 2);
  }
  return (hash * kGolden) >> 16;
}

Outcome LoadFlowSteering(int* programFd) {
  static const char kLicense[] = "Apache-2.0";
  bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  attr.insns = reinterpret_cast<uint64_t>(kProgram);
  attr.insn_cnt = sizeof(kProgram) / sizeof(kProgram[0]);
  attr.license = reinterpret_cast<uint64_t>(kLicense);
  std::strncpy(attr.prog_name, "flannel_queue", sizeof(attr.prog_name) - 1);
  const long fd = Bpf(BPF_PROG_LOAD, &attr);
  if (fd < 0) return Outcome::Fail(errno, "bpf(BPF_PROG_LOAD)", "the TUN queue steering program");
  *programFd = static_cast<int>(fd);
  return Outcome{};
}

Outcome AttachFlowSteering(int tunFd, int programFd) {
  int fd = programFd;
  if (ioctl(tunFd, TUNSETSTEERINGEBPF, &fd) < 0) return Outcome::Fail(errno, "ioctl(TUNSETSTEERINGEBPF)", "the TUN device");
  return Outcome{};
}

Outcome RunFlowSteering(int programFd, const uint8_t* packet, size_t length, uint32_t* result) {
  // The test run takes an Ethernet frame and hands the program what follows its header.
  std::vector<uint8_t> frame(14 + length);
  frame[12] = 0x08;
  std::memcpy(frame.data() + 14, packet, length);
  bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.test.prog_fd = static_cast<uint32_t>(programFd);
  attr.test.data_in = reinterpret_cast<uint64_t>(frame.data());
  attr.test.data_size_in = static_cast<uint32_t>(frame.size());
  attr.test.repeat = 1;
  if (Bpf(BPF_PROG_TEST_RUN, &attr) < 0) return Outcome::Fail(errno, "bpf(BPF_PROG_TEST_RUN)", "the TUN queue steering program");
  *result = attr.test.retval;
  return Outcome{};
}

}  // namespace udpdp
