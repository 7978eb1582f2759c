"""A small thread-safe LRU: what earlier turns gave, so a conversation served turn by turn is cheap.

Why it cannot change an answer: every key is everything its value is computed from
(a text for what the models say of it; a text and a reference time for its entities;
the turns up to one for the intent decided for it), and a text is understood the same
way alone or in any batch; so a hit returns exactly what a miss would compute.
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
