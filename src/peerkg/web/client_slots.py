"""A cap on the queries one client has in flight, shared by every worker process of a server.

Six runaway queries from one address must not take every query process: each client address (hashed
into a fixed number of buckets, so the lock files stay few) has ``per_client`` slots; a query holds one
for as long as it runs. The slots are ``flock``-ed files in one directory: the kernel shares them across
the server's processes and releases them when a holder dies, even by SIGKILL.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from contextlib import contextmanager
from pathlib import Path

from ..errors import TooManyRequests

BUCKETS = 4096


class ClientSlots:
    def __init__(self, directory: Path, per_client: int):
        self.directory, self.per_client = directory, per_client
        if per_client:
            directory.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def hold(self, client: str | None):
        """One of ``client``'s slots for the duration of the block; 429 when all are taken."""
        if not self.per_client:
            yield
            return
        bucket = int.from_bytes(hashlib.sha256((client or "").encode()).digest()[:4], "big") % BUCKETS
        for slot in range(self.per_client):
            descriptor = os.open(self.directory / f"{bucket}.{slot}", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                continue
            try:
                yield
            finally:
                os.close(descriptor)  # closing the descriptor releases the lock
            return
        raise TooManyRequests(
            f"this client already has {self.per_client} queries running (the limit per client); wait for one to "
            "finish, or set a smaller LIMIT so that each finishes sooner"
        )
