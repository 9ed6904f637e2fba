"""Confinement for the processes that do a request's work: no network, a memory cap, no core dumps.

pyoxigraph fetches any URL a query's SERVICE names (and an update's LOAD). The guard refuses both, but a
parser disagreement (the next one) must not become a way to make the server fetch a URL: every process
that runs queries or reads submissions calls ``confine`` first, after which it cannot open a socket of
any family but AF_UNIX (its pipe to the web worker is one, made before). The rule is a seccomp filter
(libseccomp, through pyseccomp), which needs no privileges and holds for every thread, Rust's included.
``RLIMIT_AS`` caps the memory a runaway query or an entity-expanding document can take: past it an
allocation fails and the process ends, which the parent reports as the memory limit.
"""

from __future__ import annotations

import errno
import resource
import socket

from .errors import PeerkgError

MiB = 1024 * 1024


def confine(memory_bytes: int | None) -> None:
    """Forbid network sockets to this process for good, and cap its address space (None: no cap)."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash leaves no multi-GB core file behind
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    try:
        import pyseccomp as seccomp

        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
        # io_uring can open and connect sockets without the socket() call the rule above sees.
        rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "io_uring_setup")
        rules.load()
    except (ImportError, OSError, RuntimeError) as problem:
        # Fail closed: without the filter, this process must not run untrusted work.
        raise PeerkgError(f"cannot confine the worker process (seccomp): {problem}; peerkg needs Linux with libseccomp") from None


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent: int | None = None) -> None:
    """Have the kernel kill this process (SIGKILL) when the thread that started it ends, so that a job's
    processes never outlive the server that started them; ``parent``: the pid that started it, checked
    after the call, since that parent may have ended before it."""
    import ctypes
    import os
    import signal

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise PeerkgError(f"cannot tie this process to its parent (prctl): {os.strerror(ctypes.get_errno())}")
    if os.getppid() != (parent or os.getppid()) or os.getppid() == 1:
        os._exit(1)  # the parent ended before the call: nobody is left to ask for this work


def die_with(pid: int) -> None:
    """End this process (SIGKILL) as soon as process ``pid`` ends, whoever its parent is: a query process
    is the child of the executor's fork server, which lives on while any of its children does (each holds
    the fork server's keep-alive pipe), so it cannot be tied to its web worker or job's process by
    PR_SET_PDEATHSIG."""
    import os
    import select
    import signal
    import threading

    global _watched
    if _watched == pid:
        return
    try:
        watched = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(1)  # it ended already

    def watch() -> None:
        select.select([watched], [], [])  # readable when the process ends
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="peerkg-die-with", daemon=True).start()
    _watched = pid


_watched = None  # the pid this process dies with (one per process: a query process is reused)

