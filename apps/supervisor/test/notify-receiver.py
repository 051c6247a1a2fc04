# Receives sd_notify datagrams on a unix socket; for each one, prints the message, the sender's pid
# (SCM_CREDENTIALS, as systemd checks NotifyAccess=main) and what the env file held at that moment
# as one JSON line, so a test can tell READY=1 came from flanneld itself after the write.
import json, os, socket, struct, sys

sock_path, env_path = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(sock_path)
print(json.dumps({"listening": True}), flush=True)
while True:
    data, ancillary, _flags, _addr = s.recvmsg(4096, socket.CMSG_SPACE(struct.calcsize("iII")))
    env = open(env_path).read() if os.path.exists(env_path) else None
    pid = None
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = struct.unpack("iII", payload[: struct.calcsize("iII")])[0]
    print(json.dumps({"msg": data.decode(), "pid": pid, "env": env}), flush=True)
