"""After Stop the summary dialog, the tiles, the status line and History show the same figures (one session
summary), and a pause counts neither as practice time nor as time at the target."""

from __future__ import annotations

import asyncio
import time

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("qasync")


def test_after_stop_the_tiles_the_status_and_history_say_the_same(qtbot, loop, home):
    from vagal_coach.clock import mmss
    from vagal_coach.gui.app import TrainController
    from vagal_coach.gui.history_view import COLUMNS
    from vagal_coach.session.summary import summary_lines

    async def wait_until(cond) -> None:
        t_end = time.monotonic() + 120.0  # a hang guard only
        while not cond():
            assert time.monotonic() < t_end, "condition not met in time"
            await asyncio.sleep(0.02)

    ctrl = TrainController(simulate=True, speed=60.0)
    ctrl.quiet = True
    w = ctrl.window
    qtbot.addWidget(w)
    assert not w.pause_btn.isEnabled() and not w.stop_btn.isEnabled() and w.start_btn.objectName() == "primary"
    assert "6 breaths/min" in w.pacer._cue(None)  # before Start the pacer says what it will pace

    async def scenario():
        w.start_btn.click()
        assert w.pause_btn.isEnabled() and w.stop_btn.isEnabled() and not w.start_btn.isEnabled()
        await wait_until(lambda: ctrl.clock.now() >= 120.0)  # 2 min (waits on the clock, not a fixed sleep)
        w.pause_btn.click()
        t_pause = ctrl.clock.now()
        await wait_until(lambda: ctrl.clock.now() >= t_pause + 60.0)  # 1 min paused
        w.pause_btn.click()
        t_resume = ctrl.clock.now()
        await wait_until(lambda: ctrl.clock.now() >= t_resume + 60.0)
        w.stop_btn.click()
        await asyncio.wait_for(ctrl.task, 120)
        shown = w.numbers.values["time"].text()
        await asyncio.sleep(0.3)
        ctrl.status_tick()
        assert w.numbers.values["time"].text() == shown  # the clock does not go on after Stop
        return await ctrl.open_history()

    rows = loop.run_until_complete(scenario())
    qtbot.addWidget(ctrl.history)
    s = ctrl.summary
    assert 59.0 < s.paused_s < 75.0 and s.duration_s == pytest.approx(s.elapsed_s - s.paused_s)
    assert s.time_at_target_s <= s.duration_s
    tiles = w.numbers.values
    assert tiles["time"].text() == mmss(s.duration_s)
    assert tiles["rmssd"].text() == f"{s.practice_rmssd_ms:.0f}"
    assert tiles["resonance"].text() == f"{s.mean_resonance_ms2:.0f}"
    assert w.status.text() == " · ".join(summary_lines(s))
    assert not w.pause_btn.isEnabled() and not w.stop_btn.isEnabled() and w.start_btn.isEnabled()
    (row,) = rows
    assert row["duration_s"] == pytest.approx(s.duration_s, abs=1e-3)
    assert row["session_rmssd_ms"] == pytest.approx(s.practice_rmssd_ms, rel=1e-9)
    assert row["resonance_power_ms2"] == pytest.approx(s.mean_resonance_ms2, rel=1e-9)
    keys = [k for _, k in COLUMNS]
    h = ctrl.history
    assert h.table.item(0, keys.index("duration_s")).text() == mmss(s.duration_s)
    assert h.table.item(0, keys.index("session_rmssd_ms")).text() == f"{s.practice_rmssd_ms:.0f}"
    assert h.table.item(0, keys.index("resonance_power_ms2")).text() == f"{s.mean_resonance_ms2:.0f}"


def test_status_messages_are_composed_once(qtbot, loop, monkeypatch):
    import vagal_coach.sensors.ble as ble
    from vagal_coach.errors import DeviceError
    from vagal_coach.gui.app import TrainController

    async def no_bus(timeout_s=5.0, adapter=None):
        raise DeviceError("cannot reach the system D-Bus: is the bluetooth service running?", path="bluetooth")

    monkeypatch.setattr(ble, "scan", no_bus)
    ctrl = TrainController()
    qtbot.addWidget(ctrl.window)
    loop.run_until_complete(ctrl.scan())
    text = ctrl.window.status.text()
    assert text.startswith("Bluetooth is not available (cannot reach the system D-Bus: is the bluetooth service "
                           "running?).")
    assert "bluetooth: " not in text.lower() and "?." not in text and ".." not in text
