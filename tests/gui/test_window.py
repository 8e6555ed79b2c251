"""The window driven through real widgets (pytest-qt, offscreen)."""

from __future__ import annotations

import asyncio
import math

import numpy as np
import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pyqtgraph")
qasync = pytest.importorskip("qasync")

from vagal_coach.gui.app import ReplayController, TrainController  # noqa: E402
from vagal_coach.gui.pacer_widget import MIN_RADIUS_FRACTION, pacer_geometry  # noqa: E402
from vagal_coach.io import read_recording  # noqa: E402
from vagal_coach.io.model import PacerEvent  # noqa: E402
from vagal_coach.session.pacer import PacerSchedule  # noqa: E402


@pytest.fixture
def loop(qapp):
    import gc

    lp = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(lp)
    yield lp
    # Qt objects must be collected on the GUI thread: collect now, and let no collection run in the
    # loop's executor threads while they shut down
    gc.collect()
    gc.disable()
    try:
        lp.close()
    finally:
        gc.enable()


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("VAGAL_COACH_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_pacer_geometry_at_given_times():
    s = PacerSchedule.constant(6.0, inhale_fraction=0.4)
    r0, st0 = pacer_geometry(s, 0.0, 100.0)
    r_top, st_top = pacer_geometry(s, 4.0, 100.0)
    r_mid, _ = pacer_geometry(s, 7.0, 100.0)
    assert r0 == pytest.approx(100 * MIN_RADIUS_FRACTION) and st0.stage == "inhale"
    assert r_top == pytest.approx(100.0) and st_top.cue in ("breathe in", "breathe out")
    assert r_mid == pytest.approx(100 * (MIN_RADIUS_FRACTION + (1 - MIN_RADIUS_FRACTION) * 0.5))


def test_pacer_radius_continuous_across_rate_change_ramp_and_holds():
    s = PacerSchedule([PacerEvent(0.0, 12.0, ramp_to_bpm=5.0, ramp_s=120.0),
                       PacerEvent(200.0, 6.0, 0.4, hold_in_s=1.5, hold_out_s=1.0)])
    t = np.arange(0, 400, 1 / 60)  # every frame at 60 fps
    r = np.array([pacer_geometry(s, x, 100.0)[0] for x in t[::7]])
    assert np.max(np.abs(np.diff(r))) < 100 * (1 - MIN_RADIUS_FRACTION) * 0.2  # no jumps at all
    st = [pacer_geometry(s, x, 100.0)[1].stage for x in np.arange(200, 220, 0.05)]
    assert "hold_in" in st and "hold_out" in st


def test_trainer_on_simulated_strap_receives_beats_and_updates_plots(qtbot, loop, home):
    ctrl = TrainController(simulate=True, speed=60.0)
    ctrl.quiet = True
    qtbot.addWidget(ctrl.window)
    ctrl.window.show()
    assert "SIMULATED" in ctrl.window.device.combo.currentText().upper()
    ctrl.window.start_btn.click()
    loop.run_until_complete(asyncio.sleep(3.0))  # ~3 min of simulated session
    ctrl.window.marker_btn.click()
    loop.run_until_complete(asyncio.sleep(0.5))
    n = ctrl.window.plots.series.size
    assert n > 100
    ctrl.window.plots.redraw(staggered=False)
    x, y = ctrl.window.plots.hr_curve.getData()
    assert x is not None and len(x) > 30 and np.all(np.isfinite(y))
    assert ctrl.window.numbers.values["hr"].text() != "—"
    assert ctrl.window.numbers.values["rmssd"].text() != "—"
    assert "SIMULATED" in ctrl.window.device.sim_label.text()
    ctrl.window.pacer.grab()  # paint once now (offscreen windows are not exposed)
    assert ctrl.window.pacer.last_state is not None and ctrl.window.pacer.last_state.rate_bpm == 6.0
    ctrl.window.stop_btn.click()
    loop.run_until_complete(asyncio.wait_for(ctrl.task, 10))
    s = ctrl.summary
    assert s is not None and s.n_markers >= 1 and math.isfinite(s.practice_rmssd_ms)
    rec = read_recording(s.path)
    assert rec.n_beats == ctrl.window.plots.series.size and rec.device["simulated"]
    assert [m.label for m in rec.markers] == ["marker"]
    assert str(home) in s.path


def test_pacer_change_applies_at_the_next_breath_and_is_recorded(qtbot, loop):
    ctrl = TrainController(simulate=True, speed=30.0)
    ctrl.quiet = True
    qtbot.addWidget(ctrl.window)
    ctrl.window.start_btn.click()
    loop.run_until_complete(asyncio.sleep(0.5))
    ctrl.window.pacer_controls.rate.setValue(5.0)
    now = ctrl.clock.now()
    ctrl.window.pacer_controls.apply.click()
    ev = ctrl.trainer.schedule.events[-1]
    assert ev.rate_bpm == 5.0 and ev.t_s >= now
    assert abs(ctrl.trainer.schedule.cycles_scalar(ev.t_s) % 1.0) < 1e-6 or \
        abs(ctrl.trainer.schedule.cycles_scalar(ev.t_s) % 1.0 - 1) < 1e-6
    ctrl.window.stop_btn.click()
    loop.run_until_complete(asyncio.wait_for(ctrl.task, 10))
    rec = read_recording(ctrl.summary.path)
    assert [p.rate_bpm for p in rec.pacer][-1] == 5.0


def test_replay_seeks_to_the_right_beat_and_adds_markers(qtbot, loop, tmp_path):
    import shutil

    from tests.conftest import RECORDINGS

    src = tmp_path / "s.vcs.jsonl"
    shutil.copy(RECORDINGS / "synthetic-practice-6bpm.vcs.jsonl", src)
    ctrl = ReplayController(str(src))
    qtbot.addWidget(ctrl.window)
    rec = read_recording(src)
    ctrl.seek(300.0)
    assert ctrl.last is not None
    i = int(np.searchsorted(rec.beat_t_s, 300.0, side="right")) - 1
    assert ctrl.last.t_s == pytest.approx(rec.beat_t_s[i], abs=0.01)
    assert ctrl.last.rr_ms == pytest.approx(rec.rr_ms[i], abs=0.6)
    ctrl.add_marker("calmer now", "client smiled")
    back = read_recording(src)
    assert [m.label for m in back.markers] == ["calmer now"] and back.markers[0].t_s == pytest.approx(300.0)
    ctrl.window.replay_bar.speed.setCurrentIndex(4)  # 16x
    ctrl.set_playing(True)
    loop.run_until_complete(asyncio.sleep(1.0))
    assert ctrl.position() > 310.0 and ctrl.last.t_s > 305.0
    ctrl.set_playing(False)
    out = loop.run_until_complete(ctrl.export("rr", tmp_path / "out.txt"))
    assert out is not None and len(out.read_text().split()) == rec.n_beats


def test_device_panel_states(qtbot):
    from vagal_coach.gui.device_panel import DevicePanel

    p = DevicePanel(("AA:BB", "Polar H10 1234"))
    qtbot.addWidget(p)
    assert "Polar H10 1234" in p.combo.itemText(0)  # the last strap offered first
    p.set_devices([("Wahoo TICKR", "CC:DD", -60), ("Polar H10 1234", "AA:BB", -50)], ("AA:BB", "Polar H10 1234"))
    assert p.combo.count() == 3 and "-50 dBm" in p.combo.itemText(0) and "Simulated" in p.combo.itemText(2)
    p.show_status("reconnecting", 80, "unsupported", 97.0, False)
    assert "reconnecting" in p.link.text() and "not reported" in p.contact.text() and "lost" not in p.contact.text()
    p.show_status("connected", None, "no_contact", None, True)
    assert "NO SKIN CONTACT" in p.contact.text() and "SIMULATED" in p.sim_label.text()
