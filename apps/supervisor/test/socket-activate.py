# Starts a program the way systemd's socket activation does: fd 3 holds a listening TCP socket on
# 127.0.0.1 (its port written to PORT_FILE first), LISTEN_FDS=1 and LISTEN_PID = the program's pid
# (this process's: exec keeps it). For the error cases, fd 3 can be a plain file ("file") and
# LISTEN_PID another process's ("other").
# Usage: socket-activate.py PORT_FILE socket|file self|other PROGRAM [ARG...]
import os, socket, sys

port_file, kind, pid_mode, argv = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
if kind == "socket":
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(128)
    with open(port_file, "w") as f:
        f.write(str(s.getsockname()[1]))
    fd = s.fileno()
else:
    fd = os.open("/dev/null", os.O_RDONLY)
if fd != 3:
    os.dup2(fd, 3)
    os.close(fd)
os.set_inheritable(3, True)
os.environ["LISTEN_FDS"] = "1"
os.environ["LISTEN_PID"] = str(os.getpid() if pid_mode == "self" else os.getppid())
os.execvp(argv[0], argv)
