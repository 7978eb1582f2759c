"""A small thread-safe LRU for earlier turns understood on their own.

Why it cannot change an answer: a key is everything the value is computed from
(how far the turn is understood, its text, its reference time), and a doc is
understood the same way alone or in any batch; so a hit returns exactly what a
miss would compute. It only saves time when a conversation is replayed turn by turn.
"""

from __future__ import annotations

import threading
from collections import OrderedDict


class LRU:
    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            if len(self._data) > self.size:
                self._data.popitem(last=False)
