"""Fixed-capacity ring buffer of beats with O(1) append and zero-copy time windows."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


class BeatRingBuffer:
    """Beats (time s, RR ms, flags) in a fixed-capacity ring.

    The storage is twice the capacity: every beat is written at ``i`` and ``i + capacity``, so the
    last ``capacity`` beats are always one contiguous slice and every window is a view, never a
    copy, and nothing is ever rolled. Append is O(1); :meth:`window` is O(log n) (a binary search).
    Flags are a uint8 per beat (bit 0: rejected by the artifact gate).
    """

    FLAG_REJECTED = 1

    def __init__(self, capacity: int = 4096) -> None:
        if capacity < 1:
            raise ValueError("capacity must be positive")
        self.capacity = int(capacity)
        self._t = np.zeros(2 * self.capacity)
        self._rr = np.zeros(2 * self.capacity)
        self._flags = np.zeros(2 * self.capacity, dtype=np.uint8)
        self._head = 0  # next write position in [0, capacity)
        self._n = 0
        self.total = 0  # beats ever appended

    def __len__(self) -> int:
        return self._n

    def append(self, t_s: float, rr_ms: float, flags: int = 0) -> None:
        h = self._head
        c = self.capacity
        self._t[h] = self._t[h + c] = t_s
        self._rr[h] = self._rr[h + c] = rr_ms
        self._flags[h] = self._flags[h + c] = flags
        self._head = (h + 1) % c
        self._n = min(self._n + 1, c)
        self.total += 1

    def extend(self, t_s: NDArray[np.float64], rr_ms: NDArray[np.float64], flags: NDArray | None = None
               ) -> None:
        t = np.asarray(t_s, dtype=float)
        r = np.asarray(rr_ms, dtype=float)
        f = np.zeros(t.size, np.uint8) if flags is None else np.asarray(flags, np.uint8)
        if t.size >= self.capacity:
            t, r, f = t[-self.capacity:], r[-self.capacity:], f[-self.capacity:]
            extra = len(t_s) - self.capacity
        else:
            extra = 0
        idx = (self._head + np.arange(t.size)) % self.capacity
        for arr, val in ((self._t, t), (self._rr, r), (self._flags, f)):
            arr[idx] = val
            arr[idx + self.capacity] = val
        self._head = int((self._head + t.size) % self.capacity)
        self._n = min(self._n + t.size, self.capacity)
        self.total += t.size + extra

    def _span(self) -> slice:
        end = self._head + self.capacity
        return slice(end - self._n, end)

    @property
    def t_s(self) -> NDArray[np.float64]:
        return self._t[self._span()]

    @property
    def rr_ms(self) -> NDArray[np.float64]:
        return self._rr[self._span()]

    @property
    def flags(self) -> NDArray[np.uint8]:
        return self._flags[self._span()]

    def last(self, n: int) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.uint8]]:
        s = self._span()
        start = max(s.start, s.stop - n)
        return self._t[start:s.stop], self._rr[start:s.stop], self._flags[start:s.stop]

    def window(self, duration_s: float, end_s: float | None = None
               ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.uint8]]:
        """Views of the beats with time in (end_s - duration_s, end_s] (end: the last beat)."""
        s = self._span()
        t = self._t[s]
        if t.size == 0:
            return t, self._rr[s], self._flags[s]
        end = t[-1] if end_s is None else end_s
        i0 = int(np.searchsorted(t, end - duration_s, side="right"))
        i1 = int(np.searchsorted(t, end, side="right"))
        return t[i0:i1], self._rr[s][i0:i1], self._flags[s][i0:i1]

    def clear(self) -> None:
        self._head = 0
        self._n = 0
