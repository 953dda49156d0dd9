# A warm start for the real AWS CLI v2 in tests (test/endpoint/src/warm-aws-cli.ts drives it).
#
# Run by the Python interpreter of the `aws` script under test, it imports awscli.clidriver once and
# then, for each request, forks a child that runs exactly what the `aws` script runs --
# awscli.clidriver.main() -- with the request's argv and environment, stdout and stderr in files of
# its own, and stdin from /dev/null. The child is a fresh process as far as the CLI can tell (a new
# session, its own environment, exit code through os._exit); only the interpreter start and the
# imports, most of the cost of one `aws` call, are paid once.
#
# Requests and answers are JSON lines: {"id", "argv", "env", "timeoutMs"} in on stdin;
# {"id", "code", "stdout", "stderr"} out on stdout. One thread: fork happens with no other thread
# holding a lock. A SIGCHLD wake-up pipe lets the loop reap children as they end.

import importlib
import json
import os
import select
import signal
import sys
import tempfile
import time

import awscli
import awscli.clidriver  # the point: imported once, before any fork
# The driver imports its plugins (awscli.handlers and every customization) inside main(): importing
# them here too saves each call a quarter of its CPU. No module of them reads the environment when
# imported (only awscli's own __init__ does, reloaded in each child).
import awscli.handlers  # noqa: F401

ENCODING = sys.stdout.encoding
ERRORS = sys.stdout.errors
out = os.fdopen(os.dup(1), "w", encoding="utf-8")
wake_r, wake_w = os.pipe()
os.set_blocking(wake_w, False)
signal.set_wakeup_fd(wake_w)
signal.signal(signal.SIGCHLD, lambda *_: None)

running = {}  # pid -> (id, stdout path, stderr path, deadline)
pending = b""


def start(req):
    fo = tempfile.NamedTemporaryFile(prefix="aws-out-", delete=False)
    fe = tempfile.NamedTemporaryFile(prefix="aws-err-", delete=False)
    fo.close()
    fe.close()
    pid = os.fork()
    if pid == 0:
        try:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            os.environ.clear()
            os.environ.update(req["env"])
            if os.environ.get("LC_CTYPE", "") == "UTF-8":  # as the aws script does
                os.environ["LC_CTYPE"] = "en_US.UTF-8"
            # awscli's import sets AWS_DATA_PATH from the environment it finds: redo it in this one.
            importlib.reload(awscli)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(os.open(fo.name, os.O_WRONLY | os.O_TRUNC), 1)
            os.dup2(os.open(fe.name, os.O_WRONLY | os.O_TRUNC), 2)
            sys.stdin = open(0, "r", closefd=False)
            sys.stdout = open(1, "w", encoding=ENCODING, errors=ERRORS, closefd=False)
            sys.stderr = open(2, "w", encoding=ENCODING, errors="backslashreplace", closefd=False)
            sys.argv = req["argv"]
            code = awscli.clidriver.main()
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException:
            import traceback

            traceback.print_exc()
            code = 255
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code if isinstance(code, int) else 0)
    deadline = time.monotonic() + req.get("timeoutMs", 60000) / 1000
    running[pid] = (req["id"], fo.name, fe.name, deadline)


def read_and_remove(path):
    with open(path, "rb") as f:
        data = f.read()
    os.unlink(path)
    return data.decode("utf-8", "replace")


def reap():
    while running:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        entry = running.pop(pid, None)
        if entry is None:
            continue
        rid, fo, fe, _ = entry
        code = os.waitstatus_to_exitcode(status)
        answer = {"id": rid, "code": code, "stdout": read_and_remove(fo), "stderr": read_and_remove(fe)}
        out.write(json.dumps(answer) + "\n")
        out.flush()


def kill_overdue():
    now = time.monotonic()
    for pid, (_, _, _, deadline) in list(running.items()):
        if now > deadline:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


stdin_open = True
while stdin_open or running:
    timeout = 0.5 if running else None
    fds = [wake_r] + ([0] if stdin_open else [])
    try:
        ready, _, _ = select.select(fds, [], [], timeout)
    except InterruptedError:
        ready = []
    if wake_r in ready:
        try:
            os.read(wake_r, 4096)
        except BlockingIOError:
            pass
    if 0 in ready:
        chunk = os.read(0, 65536)
        if not chunk:
            stdin_open = False
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            if line.strip():
                start(json.loads(line))
    reap()
    kill_overdue()
