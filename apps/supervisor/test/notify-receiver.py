# Receives sd_notify datagrams on a unix socket; for each one, prints the message and what the
# env file held at that moment as one JSON line, so a test can tell READY=1 came after the write.
import json, os, socket, sys

sock_path, env_path = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sock_path)
print(json.dumps({"listening": True}), flush=True)
while True:
    msg = s.recv(4096).decode()
    env = open(env_path).read() if os.path.exists(env_path) else None
    print(json.dumps({"msg": msg, "env": env}), flush=True)
