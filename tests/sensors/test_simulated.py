"""The simulated strap on a clock it cannot keep up with."""

from __future__ import annotations

import asyncio

from vagal_coach.clock import Clock
from vagal_coach.sensors.simulated import SimulatedStrap


def test_a_strap_behind_its_clock_catches_up_and_lets_the_loop_run() -> None:
    """Behind the clock (a busy machine, an accelerated session) the strap sends what is due in a burst,
    on its own timeline, but the loop runs between its events: the window and its timers never freeze."""
    clock = Clock(1e6)  # a million times real time: every event is already due
    strap = SimulatedStrap(clock, seed=1, raw=False)

    async def main() -> tuple[int, list[float]]:
        ticks = 0

        async def other() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        task = asyncio.ensure_future(other())
        times = []
        async for ev in strap.events():
            if type(ev).__name__ == "Notification":
                times.append(ev.t_s)
                if len(times) >= 200:
                    break
        task.cancel()
        return ticks, times

    ticks, times = asyncio.run(main())
    assert ticks >= 150  # the other task ran between the strap's events
    gaps = [b - a for a, b in zip(times, times[1:]) if b > a]
    assert max(times) < 300.0 and 0.5 < min(gaps)  # still its own timeline (~1 s apart), not the clock's
