"""Progress of a long scoring run on stderr: rows done of the total, rows/s and the time left.

tqdm draws the bar when it is installed (it is not a dependency of empathy-nlu); otherwise a small
printer writes one line every few seconds, which also reads well in a log file.
"""

from __future__ import annotations

import sys
import time


class Progress:
    """``start(total, what)``, ``advance(n)``, ``close()``; ``say`` prints a line. Silent when quiet."""

    def __init__(self, quiet: bool = False, every: float = 5.0) -> None:
        self.quiet, self.every = quiet, every
        self.bar = None
        self.total = self.done = 0
        self.started = self.last = time.perf_counter()

    def say(self, message: str) -> None:
        if not self.quiet:
            print(message, file=sys.stderr, flush=True)

    def start(self, total: int, what: str = "scoring") -> None:
        self.total, self.done = total, 0
        self.started = self.last = time.perf_counter()
        if self.quiet:
            return
        try:
            from tqdm import tqdm
        except ImportError:
            return
        self.bar = tqdm(total=total, desc=what, unit=" rows", file=sys.stderr, smoothing=0.1, mininterval=1.0)

    def advance(self, n: int) -> None:
        self.done += n
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.update(n)
            return
        now = time.perf_counter()
        if now - self.last >= self.every or self.done >= self.total:
            self.last = now
            self.say(self.line(now))

    def line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else float("inf")
        eta = f"{left:,.0f}s" if left != float("inf") else "?"
        share = 100 * self.done / self.total if self.total else 100.0
        return f"scored {self.done:,}/{self.total:,} rows ({share:.0f}%), {rate:,.0f} rows/s, ETA {eta}"

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
