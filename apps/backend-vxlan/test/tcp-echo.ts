import { waitFor, type Lab, type Pod } from '@flannel-ts/testing';

// One connection: read until the client's FIN, send everything back, exit.
const SERVER = `
import socket, sys
s = socket.create_server(('0.0.0.0', int(sys.argv[1])))
c, _ = s.accept()
data = bytearray()
while True:
    chunk = c.recv(65536)
    if not chunk: break
    data += chunk
c.sendall(data)
c.close()
`;

// Sends N bytes, half-closes, prints how many bytes came back and whether they were the same.
const CLIENT = `
import socket, sys, os
payload = os.urandom(int(sys.argv[3]))
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
c.sendall(payload)
c.shutdown(socket.SHUT_WR)
back = bytearray()
while True:
    chunk = c.recv(65536)
    if not chunk: break
    back += chunk
print(len(back), back == payload)
`;

/**
 * Carries `bytes` random bytes over one TCP connection from `from` to `to` and back; returns
 * "<bytes> True" when they came back unchanged (python3 on both ends, one-shot).
 */
export async function tcpEcho(lab: Lab, from: Pod, to: Pod, { port = 7007, bytes = 200_000 } = {}): Promise<string> {
  const server = lab.spawn(to.ns, ['python3', '-c', SERVER, String(port)]);
  try {
    await waitFor(async () => (await lab.exec(to.ns, ['ss', '-Hltn', `sport = :${port}`])).stdout.includes(`:${port}`), {
      what: `the echo server in ${to.ns}`,
    });
    const result = await lab.exec(from.ns, ['python3', '-c', CLIENT, to.ip, String(port), String(bytes)], { timeoutMs: 15_000 });
    return (result.stdout.trim() || result.stderr.trim().split('\n').at(-1)) ?? '';
  } finally {
    await server.stop(0);
  }
}
