"""The app's one cache: values kept per published version, least recently used dropped first.

A published version never changes, so nothing kept for it goes stale; when the backend publishes another,
everything kept for the old one is dropped at once. Whole responses (``httpcache``), query results and
verdicts (``kg.run``, ``kg.check``) and per-version listings and descriptions (``kg.per_version``) all
live here, under keys that say which they are. Bounded by entries and by bytes.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock


class VersionCache:
    def __init__(self, entries: int, max_bytes: int):
        self.entries, self.max_bytes = entries, max_bytes
        self._version: str | None = None
        self._values: OrderedDict = OrderedDict()  # key → (value, size)
        self._bytes = 0
        self._lock = Lock()

    def get(self, version: str, key):
        """The value kept for ``key`` in ``version``, or None."""
        with self._lock:
            if version != self._version:
                return None
            hit = self._values.get(key)
            if hit is None:
                return None
            self._values.move_to_end(key)
            return hit[0]

    def put(self, version: str, key, value, size: int = 0) -> None:
        """Keep ``value`` (``size`` bytes, counted against the byte budget) unless it cannot fit."""
        if not self.entries or value is None or size > self.max_bytes // 8:
            return
        with self._lock:
            if version != self._version:
                self._version, self._values, self._bytes = version, OrderedDict(), 0
            old = self._values.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._values[key] = (value, size)
            self._bytes += size
            while len(self._values) > self.entries or self._bytes > self.max_bytes:
                _, (_, dropped) = self._values.popitem(last=False)
                self._bytes -= dropped
