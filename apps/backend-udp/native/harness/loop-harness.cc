// loop-harness.cc: the packet loop's processing (TxProcessor → SendBatch → RxProcessor) on
// synthetic TCP traffic, with the kernel's part simulated: a send batch's messages are
// concatenated as UDP GRO would deliver them, and TUN writes are captured.
//
//   loop-harness check      correctness: segmentation, checksums, coalescing, drops; prints "ok"
//   loop-harness offloads   64 KiB super-packets through both directions (for callgrind)
//   loop-harness plain      1472-byte packets through both directions (for callgrind)
//   loop-harness checksum   the time each checksum version takes on 1472 bytes and on 64 KiB
#include <arpa/inet.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "../checksum.h"
#include "../counters.h"
#include "../ipv4.h"
#include "../peer-table.h"
#include "../rx-processor.h"
#include "../send-batch.h"
#include "../tcp-segmenter.h"
#include "../tx-processor.h"
#include "../vnet-header.h"

using namespace udpdp;

namespace {

constexpr uint32_t kPodA = 0x0af40102;  // 10.244.1.2
constexpr uint32_t kPodB = 0x0af40202;  // 10.244.2.2
constexpr uint32_t kPeerB = 0xc000020c;  // 192.0.2.12
constexpr size_t kMtu = 1472;
constexpr size_t kTcpOptions = 12;  // timestamps, as Linux sends them
constexpr size_t kHeaders = 20 + 20 + kTcpOptions;

int failures = 0;
#define CHECK(cond, ...)                                    \
  do {                                                      \
    if (!(cond)) {                                          \
      failures++;                                           \
      std::fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);  \
      std::fprintf(stderr, __VA_ARGS__);                    \
      std::fprintf(stderr, "\n");                           \
    }                                                       \
  } while (0)

// Reference checksums, written plainly (byte pairs in network order).
uint16_t ReferenceSum(const uint8_t* p, size_t n, uint32_t sum = 0) {
  for (size_t i = 0; i + 1 < n; i += 2) sum += (p[i] << 8) | p[i + 1];
  if (n % 2) sum += p[n - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}
bool IpChecksumOk(const uint8_t* ip) { return ReferenceSum(ip, IpHeaderLength(ip)) == 0xffff; }
bool TcpChecksumOk(const uint8_t* ip, size_t n) {
  const size_t ihl = IpHeaderLength(ip);
  uint32_t pseudo = ((ip[12] << 8) | ip[13]) + ((ip[14] << 8) | ip[15]) + ((ip[16] << 8) | ip[17]) + ((ip[18] << 8) | ip[19]) + kProtoTcp + (n - ihl);
  return ReferenceSum(ip + ihl, n - ihl, pseudo) == 0xffff;
}

class CaptureSink : public TunSink {
 public:
  bool keep = true;
  uint64_t writes = 0, bytes = 0;
  std::vector<std::vector<uint8_t>> packets;
  ssize_t Write(const iovec* pieces, int count) override {
    size_t n = 0;
    for (int i = 0; i < count; i++) n += pieces[i].iov_len;
    writes++;
    bytes += n;
    if (keep) {
      std::vector<uint8_t> out;
      out.reserve(n);
      for (int i = 0; i < count; i++) out.insert(out.end(), static_cast<uint8_t*>(pieces[i].iov_base), static_cast<uint8_t*>(pieces[i].iov_base) + pieces[i].iov_len);
      packets.push_back(std::move(out));
    }
    return static_cast<ssize_t>(n);
  }
};

class NullIcmp : public PacketSink {
 public:
  int sent = 0;
  bool Send(const uint8_t*, size_t) override { return ++sent, true; }
};

struct Flow {
  uint32_t seq = 1000;
  uint16_t id = 7;
};

// A TCP/IPv4 packet of `payload` bytes from pod A to pod B, TTL 64, with timestamps; with
// `vnet`, a virtio header first: a super-packet (gso_size `mss`) with a partial checksum, as the
// kernel hands it over. Returns the length written into `out`.
// A null `rng` leaves the payload as it is (the benchmark refills only headers).
size_t BuildTcp(uint8_t* out, bool vnet, size_t payload, size_t mss, Flow* flow, uint8_t flags, std::mt19937* rng) {
  uint8_t* p = out;
  if (vnet) {
    virtio_net_hdr h{};
    if (payload > mss) {
      h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
      h.gso_size = static_cast<uint16_t>(mss);
    }
    h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    h.hdr_len = kHeaders;
    h.csum_start = 20;
    h.csum_offset = 16;
    std::memcpy(p, &h, sizeof(h));
    p += sizeof(h);
  }
  const size_t total = kHeaders + payload;
  std::memset(p, 0, kHeaders);
  p[0] = 0x45;
  StoreBe16(p + 2, static_cast<uint16_t>(total));
  StoreBe16(p + 4, flow->id++);
  StoreBe16(p + 6, 0x4000);
  p[8] = 64;
  p[9] = kProtoTcp;
  StoreBe32(p + 12, kPodA);
  StoreBe32(p + 16, kPodB);
  SetIpHeaderChecksum(p);
  uint8_t* tcp = p + 20;
  StoreBe16(tcp, 40000);
  StoreBe16(tcp + 2, 5201);
  StoreBe32(tcp + 4, flow->seq);
  StoreBe32(tcp + 8, 555);
  tcp[12] = static_cast<uint8_t>((20 + kTcpOptions) / 4) << 4;
  tcp[13] = flags;
  StoreBe16(tcp + 14, 512);
  const uint8_t options[kTcpOptions] = {1, 1, 8, 10, 0, 0, 0, 42, 0, 0, 0, 7};
  std::memcpy(tcp + 20, options, sizeof(options));
  if (rng != nullptr) {
    for (size_t i = 0; i < payload; i++) p[kHeaders + i] = static_cast<uint8_t>((*rng)());
  }
  flow->seq += static_cast<uint32_t>(payload);
  if (vnet) {
    Store16(tcp + 16, Fold(PseudoHeaderSum(p, kProtoTcp, static_cast<uint32_t>(total - 20))));
  } else if (rng != nullptr) {  // refills leave it stale: nothing on the plain path reads it
    Store16(tcp + 16, 0);
    Store16(tcp + 16, static_cast<uint16_t>(~Fold(SumBytes(tcp, total - 20, PseudoHeaderSum(p, kProtoTcp, static_cast<uint32_t>(total - 20))))));
  }
  return (vnet ? kVnetHeaderSize : 0) + total;
}

// One direction end to end: TUN reads on host A → datagrams → (GRO) → TUN writes on host B.
struct Path {
  bool vnet;
  SendBatch batch{2048, 4096};
  HeaderArena arena{2048};
  LocalCounters txCounters, rxCounters;
  NullIcmp icmp;
  CaptureSink sink;
  PeerTable table{std::vector<PeerRoute>{{0x0af40200, 24, kPeerB}}};
  TxProcessor tx;
  RxProcessor rx;
  std::vector<std::vector<uint8_t>> wire;  // the batch's messages as received (GRO'd)
  std::vector<std::vector<uint8_t>> datagrams;
  bool keepDatagrams = true;

  explicit Path(bool withVnet)
      : vnet(withVnet), tx(&batch, &arena, &icmp, withVnet, 8285, &txCounters), rx(&sink, withVnet, kMtu, &rxCounters), wire(64, std::vector<uint8_t>(70000)) {
    batch.set_gso(withVnet);
    tx.set_table(&table);
    tx.set_icmp(true);
  }

  // Sends what the batch holds to host B: each message as one receive (GRO keeps a GSO message whole).
  void Deliver() {
    mmsghdr* msgs = batch.Finish();
    for (size_t m = 0; m < batch.size(); m++) {
      // A received batch holds at most `wire.size()` messages; the TUN writes go out before the next.
      if (m > 0 && m % wire.size() == 0) rx.EndBatch();
      uint8_t* in = wire[m % wire.size()].data();
      size_t n = 0;
      for (size_t i = 0; i < msgs[m].msg_hdr.msg_iovlen; i++) {
        const iovec& piece = msgs[m].msg_hdr.msg_iov[i];
        std::memcpy(in + n, piece.iov_base, piece.iov_len);
        n += piece.iov_len;
      }
      const size_t segment = batch.SegmentSize(m);
      if (keepDatagrams) {
        for (size_t off = 0; off < n; off += segment) datagrams.emplace_back(in + off, in + off + std::min(segment, n - off));
      }
      rx.HandleMessage(in, n, vnet ? segment : n);
    }
    rx.EndBatch();
    batch.Reset();
    arena.Reset();
  }
};

void CheckSegments(const Path& path, size_t expectedPayload, uint32_t firstSeq, uint8_t lastFlags) {
  size_t payload = 0;
  uint32_t seq = firstSeq;
  for (size_t i = 0; i < path.datagrams.size(); i++) {
    const std::vector<uint8_t>& d = path.datagrams[i];
    const uint8_t* ip = d.data();
    CHECK(d.size() <= kMtu, "datagram %zu is %zu bytes, above the MTU", i, d.size());
    CHECK(IpTotalLength(ip) == d.size(), "datagram %zu: total length %u for %zu bytes", i, IpTotalLength(ip), d.size());
    CHECK(ip[8] == 63, "datagram %zu: TTL %u on the wire, want 63", i, ip[8]);
    CHECK(IpChecksumOk(ip), "datagram %zu: bad IP checksum", i);
    CHECK(TcpChecksumOk(ip, d.size()), "datagram %zu: bad TCP checksum", i);
    CHECK(LoadBe32(ip + 24) == seq, "datagram %zu: seq %u, want %u", i, LoadBe32(ip + 24), seq);
    const uint8_t flags = ip[33];
    const bool last = i + 1 == path.datagrams.size();
    uint8_t want = lastFlags;
    if (!last) want &= static_cast<uint8_t>(~(kTcpPsh | kTcpFin));
    if (i > 0) want &= static_cast<uint8_t>(~kTcpCwr);
    CHECK(flags == want, "datagram %zu: flags %#x, want %#x", i, flags, want);
    seq += static_cast<uint32_t>(d.size() - kHeaders);
    payload += d.size() - kHeaders;
  }
  CHECK(payload == expectedPayload, "segments carry %zu payload bytes, want %zu", payload, expectedPayload);
}

// What reached the TUN on host B, reassembled: the TCP payload bytes in order.
std::vector<uint8_t> Received(const CaptureSink& sink, bool vnet, size_t* gsoWrites) {
  std::vector<uint8_t> out;
  *gsoWrites = 0;
  for (const std::vector<uint8_t>& w : sink.packets) {
    const uint8_t* p = w.data();
    size_t n = w.size();
    if (vnet) {
      virtio_net_hdr h;
      std::memcpy(&h, p, sizeof(h));
      p += sizeof(h);
      n -= sizeof(h);
      if (h.gso_type == VIRTIO_NET_HDR_GSO_TCPV4) {
        (*gsoWrites)++;
        CHECK(h.gso_size == 1420 || h.gso_size <= kMtu - kHeaders, "gso_size %u", h.gso_size);
        CHECK(h.csum_start == 20 && h.csum_offset == 16 && h.hdr_len == kHeaders, "virtio header csum %u/%u hdr %u", h.csum_start, h.csum_offset, h.hdr_len);
        CHECK(Load16(p + 36) == Fold(PseudoHeaderSum(p, kProtoTcp, static_cast<uint32_t>(n - 20))), "merged packet's partial checksum");
      } else {
        CHECK(TcpChecksumOk(p, n), "single packet's TCP checksum");
      }
    }
    CHECK(IpTotalLength(p) == n, "TUN write: total length %u for %zu bytes", IpTotalLength(p), n);
    CHECK(IpChecksumOk(p), "TUN write: bad IP checksum");
    CHECK(p[8] == 62, "TUN write: TTL %u, want 62", p[8]);
    out.insert(out.end(), p + kHeaders, p + n);
  }
  return out;
}

void CheckSuperPacket(size_t payload, size_t mss, uint8_t flags) {
  std::mt19937 rng(static_cast<uint32_t>(payload * 31 + mss));
  Path path(true);
  std::vector<uint8_t> buf(70000);
  Flow flow;
  const uint32_t first = flow.seq;
  const size_t n = BuildTcp(buf.data(), true, payload, mss, &flow, flags, &rng);
  std::vector<uint8_t> original(buf.begin() + kVnetHeaderSize + kHeaders, buf.begin() + n);
  path.tx.HandleRead(buf.data(), n);
  path.Deliver();
  CheckSegments(path, payload, first, flags);
  size_t gsoWrites = 0;
  const std::vector<uint8_t> received = Received(path.sink, true, &gsoWrites);
  CHECK(received == original, "payload %zu mss %zu: the bytes written to the TUN differ from those read", payload, mss);
  const bool mergeable = (flags & ~(kTcpAckFlag | kTcpPsh)) == 0;
  const size_t segments = (payload + mss - 1) / mss;
  if (mergeable && segments > 1) CHECK(path.sink.packets.size() == 1 && gsoWrites == 1, "payload %zu mss %zu: %zu writes, want 1 merged", payload, mss, path.sink.packets.size());
}

void CheckPlain() {
  std::mt19937 rng(3);
  Path path(false);
  std::vector<std::vector<uint8_t>> bufs(40, std::vector<uint8_t>(2000));
  Flow flow;
  std::vector<uint8_t> original;
  for (auto& b : bufs) {
    const size_t n = BuildTcp(b.data(), false, kMtu - kHeaders, 0, &flow, kTcpAckFlag, &rng);
    original.insert(original.end(), b.begin() + kHeaders, b.begin() + n);
    path.tx.HandleRead(b.data(), n);
  }
  path.Deliver();
  CHECK(path.datagrams.size() == 40, "plain: %zu datagrams for 40 packets", path.datagrams.size());
  size_t gso = 0;
  CHECK(Received(path.sink, false, &gso) == original, "plain: bytes differ");
  CHECK(path.sink.packets.size() == 40, "plain: %zu TUN writes for 40 packets", path.sink.packets.size());
}

void CheckDropsAndIcmp() {
  Path path(true);
  std::vector<uint8_t> junk(100);
  const auto drop = [&](std::vector<uint8_t> d, Counter c, const char* what) {
    const uint64_t before = path.rxCounters.value[c];
    path.rx.HandleMessage(d.data(), d.size(), d.size());
    CHECK(path.rxCounters.value[c] == before + 1, "%s: not counted", what);
  };
  drop({}, k_dropShort, "empty");
  drop(std::vector<uint8_t>(19, 0x45), k_dropShort, "19 bytes");
  drop(std::vector<uint8_t>(40, 0x60), k_dropNotIpv4, "IPv6");
  std::vector<uint8_t> big(2000, 0);
  big[0] = 0x45;
  drop(big, k_dropTooLarge, "2000 bytes");
  std::vector<uint8_t> lying(100, 0);
  lying[0] = 0x45;
  StoreBe16(lying.data() + 2, 1000);
  lying[8] = 64;
  drop(lying, k_dropBadLength, "total length 1000 in 100 bytes");
  StoreBe16(lying.data() + 2, 100);
  lying[8] = 1;
  drop(lying, k_dropTtlIn, "TTL 1");
  CHECK(path.sink.packets.empty(), "a dropped datagram reached the TUN");

  // Outbound: no peer for 10.244.9.9 → one ICMP answer; TTL 1 → dropped.
  std::mt19937 rng(1);
  std::vector<uint8_t> buf(2000);
  Flow flow;
  BuildTcp(buf.data(), false, 100, 0, &flow, kTcpAckFlag, &rng);
  Path plain(false);
  StoreBe32(buf.data() + 16, 0x0af40909);
  SetIpHeaderChecksum(buf.data());
  plain.tx.HandleRead(buf.data(), kHeaders + 100);
  CHECK(plain.icmp.sent == 1 && plain.txCounters.value[k_dropNoRoute] == 1, "no route: %d ICMP answers", plain.icmp.sent);
  StoreBe32(buf.data() + 16, kPodB);
  buf[8] = 1;
  SetIpHeaderChecksum(buf.data());
  plain.tx.HandleRead(buf.data(), kHeaders + 100);
  CHECK(plain.txCounters.value[k_dropTtlOut] == 1 && plain.batch.size() == 0, "TTL 1 outbound was not dropped");

  // Random datagrams never crash and never reach the TUN unless they are valid IPv4.
  std::mt19937 r(42);
  for (int i = 0; i < 20000; i++) {
    std::vector<uint8_t> d(r() % 1600);
    for (auto& b : d) b = static_cast<uint8_t>(r());
    if (!d.empty() && i % 2) d[0] = 0x45;
    path.rx.HandleMessage(d.data(), d.size(), d.size() > 700 ? 700 : d.size());
  }
  path.rx.EndBatch();
}

// Every version of SumBytes this CPU runs, by name.
std::vector<std::pair<const char*, uint64_t (*)(const uint8_t*, size_t, uint64_t)>> SumVersions() {
  std::vector<std::pair<const char*, uint64_t (*)(const uint8_t*, size_t, uint64_t)>> out = {
      {"scalar", [](const uint8_t* p, size_t n, uint64_t acc) { return SumBytesScalar(p, n, acc); }},
      {"dispatched", [](const uint8_t* p, size_t n, uint64_t acc) { return SumBytes(p, n, acc); }},
  };
#if defined(__x86_64__)
  out.push_back({"sse2", [](const uint8_t* p, size_t n, uint64_t acc) { return SumBytesSse2(p, n, acc); }});
  if (__builtin_cpu_supports("avx2")) out.push_back({"avx2", [](const uint8_t* p, size_t n, uint64_t acc) { return SumBytesAvx2(p, n, acc); }});
#endif
  return out;
}

// Each version against the byte-pair reference: random bytes of every length 0..2000 at every
// alignment 0..7, all-0xff buffers (the carries), and a sum split at an even offset and resumed.
void CheckChecksums() {
  std::mt19937 rng(7);
  std::vector<uint8_t> buf(2000 + 16);
  for (const auto& [name, sum] : SumVersions()) {
    for (size_t n = 0; n <= 2000; n++) {
      for (size_t offset = 0; offset < 8; offset++) {
        const bool ones = (n + offset) % 97 == 0;
        for (auto& b : buf) b = ones ? 0xff : static_cast<uint8_t>(rng());
        const uint8_t* p = buf.data() + offset;
        const uint16_t expected = ReferenceSum(p, n);
        const uint16_t got = ntohs(Fold(sum(p, n, 0)));
        CHECK(got == expected, "%s sum of %zu bytes at offset %zu: %04x, reference %04x", name, n, offset, got, expected);
        const size_t split = (rng() % (n + 1)) & ~size_t{1};
        const uint16_t resumed = ntohs(Fold(sum(p + split, n - split, sum(p, split, 0))));
        CHECK(resumed == expected, "%s sum of %zu bytes at offset %zu split at %zu: %04x, reference %04x", name, n, offset, split, resumed, expected);
      }
    }
  }
}

int Check() {
  CheckChecksums();
  const size_t mss = kMtu - kHeaders;  // 1420
  for (size_t payload : {size_t{1}, mss - 1, mss, mss + 1, 10 * mss, 44 * mss, 45 * mss + 7, size_t{65535 - kHeaders}}) {
    CheckSuperPacket(payload, mss, kTcpAckFlag);
    CheckSuperPacket(payload, mss, kTcpAckFlag | kTcpPsh);
  }
  CheckSuperPacket(20000, 999, kTcpAckFlag | kTcpPsh);  // odd segment size
  CheckSuperPacket(20000, 536, kTcpAckFlag | kTcpFin | kTcpPsh);
  CheckSuperPacket(30000, mss, kTcpAckFlag | kTcpCwr);
  CheckPlain();
  CheckDropsAndIcmp();
  if (failures == 0) std::puts("ok");
  return failures == 0 ? 0 : 1;
}

// The hot loop for callgrind: `rounds` batches of reads, each sent, "received" and written.
int Bench(bool vnet) {
  std::mt19937 rng(9);
  Path path(vnet);
  path.sink.keep = false;
  path.keepDatagrams = false;
  const size_t perBatch = vnet ? 16 : 64;
  const size_t payload = vnet ? 45 * (kMtu - kHeaders) : kMtu - kHeaders;
  std::vector<std::vector<uint8_t>> bufs(perBatch, std::vector<uint8_t>(70000));
  std::vector<size_t> lengths(perBatch);
  Flow flow;
  const int rounds = vnet ? 60 : 1000;
  uint64_t bytes = 0;
  for (size_t i = 0; i < perBatch; i++) BuildTcp(bufs[i].data(), vnet, payload, kMtu - kHeaders, &flow, kTcpAckFlag, &rng);
  for (int round = 0; round < rounds; round++) {
    for (size_t i = 0; i < perBatch; i++) lengths[i] = BuildTcp(bufs[i].data(), vnet, payload, kMtu - kHeaders, &flow, kTcpAckFlag, nullptr);
    for (size_t i = 0; i < perBatch; i++) path.tx.HandleRead(bufs[i].data(), lengths[i]);
    path.Deliver();
    bytes += perBatch * payload;
  }
  std::printf("%s: %llu bytes of TCP payload in %llu TUN writes (%llu datagrams)\n", vnet ? "offloads" : "plain",
              static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(path.sink.writes),
              static_cast<unsigned long long>(path.rxCounters.value[k_udpReceivedDatagrams]));
  return 0;
}

// Nanoseconds per sum of a 1472-byte packet and of a 64 KiB super-packet, for each version.
int ChecksumSpeed() {
  std::vector<uint8_t> buf(65536 + 8);
  std::mt19937 rng(5);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  for (const auto& [name, sum] : SumVersions()) {
    for (size_t n : {size_t{1472}, size_t{65536}}) {
      const int rounds = n > 2000 ? 20000 : 1000000;
      uint64_t sink = 0;
      const auto start = std::chrono::steady_clock::now();
      for (int i = 0; i < rounds; i++) sink += sum(buf.data() + (i & 1), n, sink & 0xff);
      const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() / rounds;
      std::printf("%-10s %6zu bytes: %8.1f ns (%.2f bytes/ns) [%llx]\n", name, n, ns, n / ns, static_cast<unsigned long long>(sink & 1));
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "check";
  if (mode == "check") return Check();
  if (mode == "offloads") return Bench(true);
  if (mode == "plain") return Bench(false);
  if (mode == "checksum") return ChecksumSpeed();
  std::fprintf(stderr, "usage: %s check|offloads|plain|checksum\n", argv[0]);
  return 2;
}
