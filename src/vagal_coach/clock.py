"""Session clocks: real time, accelerated, or as fast as possible (virtual)."""

from __future__ import annotations

import asyncio
import math
import time


def mmss(t_s: float) -> str:
    """Seconds as minutes:seconds (whole seconds, rounded down), as the window and status lines show them."""
    return f"{int(t_s // 60)}:{int(t_s % 60):02d}"


class Clock:
    """Seconds since the session start on the monotonic clock, optionally accelerated.

    ``speed`` 1 is real time; N plays N times faster; ``math.inf`` advances only when something
    sleeps on it (virtual time), for replays and tests "as fast as possible".
    """

    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = float(speed)
        self._t0 = time.monotonic()
        self._virtual = 0.0
        self._ticks = 0

    @property
    def virtual(self) -> bool:
        return math.isinf(self.speed)

    def now(self) -> float:
        if self.virtual:
            return self._virtual
        return (time.monotonic() - self._t0) * self.speed

    async def sleep(self, dt_s: float) -> None:
        if dt_s <= 0:
            if not self.virtual:
                await asyncio.sleep(0)
            return
        if self.virtual:
            self._virtual += dt_s
            self._ticks += 1
            if self._ticks % 256 == 0:  # let other tasks run now and then; no need at every event
                await asyncio.sleep(0)
        else:
            await asyncio.sleep(dt_s / self.speed)

    async def sleep_until(self, t_s: float) -> None:
        await self.sleep(t_s - self.now())
