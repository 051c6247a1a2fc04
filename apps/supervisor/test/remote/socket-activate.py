# Starts a program the way systemd's socket activation does: a listening TCP socket as fd 3,
# LISTEN_FDS=1 and LISTEN_PID set to the pid the program will have (exec keeps it).
# Usage: socket-activate.py <host> <port> <program> [args...]
import os
import socket
import sys

host, port, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind((host, port))
listener.listen(128)
if listener.fileno() != 3:
    os.dup2(listener.fileno(), 3)
os.set_inheritable(3, True)
os.environ["LISTEN_FDS"] = "1"
os.environ["LISTEN_PID"] = str(os.getpid())
os.execv(argv[0], argv)
