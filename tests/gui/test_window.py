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
from vagal_coach.model import PacerEvent  # noqa: E402
from vagal_coach.model.pacer import PacerSchedule  # noqa: E402


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

    async def scenario():
        ctrl.window.start_btn.click()
        await until(lambda: session_s(ctrl) > 180.0)  # 3 min of simulated session
        ctrl.window.marker_btn.click()
        await until(lambda: ctrl.window.numbers.values["rmssd"].text() != "—")  # the panel's next refresh
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
        await asyncio.wait_for(ctrl.task, 120)

    loop.run_until_complete(scenario())
    s = ctrl.summary
    assert s is not None and s.n_markers >= 1 and math.isfinite(s.practice_rmssd_ms)
    rec = read_recording(s.path)
    # every beat shown was the strap's until the ECG had 20 clean beats, then the ECG's; the file's beats
    # are the ECG's from the first (read back offline): the same beats but those first seconds' few
    assert rec.rr_source == "ecg" and abs(rec.n_beats - ctrl.window.plots.series.size) <= 3
    assert rec.strap_rr is not None and rec.device["simulated"]
    assert [m.label for m in rec.markers] == ["marker"]
    assert str(home) in s.path


def test_pacer_change_applies_at_the_next_breath_and_is_recorded(qtbot, loop):
    ctrl = TrainController(simulate=True, speed=30.0)
    ctrl.quiet = True
    qtbot.addWidget(ctrl.window)

    async def scenario():
        ctrl.window.start_btn.click()
        await until(lambda: session_s(ctrl) > 10.0)
        ctrl.window.pacer_controls.rate.setValue(5.0)
        now = ctrl.clock.now()
        ctrl.window.pacer_controls.apply.click()
        ev = ctrl.trainer.schedule.events[-1]
        assert ev.rate_bpm == 5.0 and ev.t_s >= now
        assert abs(ctrl.trainer.schedule.cycles_scalar(ev.t_s) % 1.0) < 1e-6 or \
            abs(ctrl.trainer.schedule.cycles_scalar(ev.t_s) % 1.0 - 1) < 1e-6
        ctrl.window.stop_btn.click()
        await asyncio.wait_for(ctrl.task, 120)

    loop.run_until_complete(scenario())
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

    async def scenario():
        ctrl.set_playing(True)
        await until(lambda: ctrl.position() > 310.0 and ctrl.last.t_s > 305.0)  # it plays on from the seek
        ctrl.set_playing(False)
        return await ctrl.export("rr", tmp_path / "out.txt")

    out = loop.run_until_complete(scenario())
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


async def until(cond, timeout_s=120.0):
    """Wait (in the running qasync loop) until ``cond()`` holds: tests wait on what they need, never for a
    fixed time (the timeout only guards against a hang). Each test runs its whole scenario as one
    coroutine: between run_until_complete calls qasync may step a task with no running loop."""
    loop = asyncio.get_running_loop()
    t = loop.time() + timeout_s
    while not cond():
        if loop.time() > t:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


def session_s(ctrl) -> float:
    """The session time of the last beat the trainer's session has processed (0 before the first)."""
    last = ctrl.trainer.session.status.last if ctrl.trainer is not None else None
    return last.t_s if last is not None else 0.0


def test_guided_session_end_to_end_on_the_simulated_strap(qtbot, loop, home):
    """A whole 3-minute guided session on an accelerated clock: prompts appear, the client can breathe in
    their own way, the reflection is saved with the recording and in the library."""
    from vagal_coach.session.library import Library

    ctrl = TrainController(simulate=True, speed=30.0)
    ctrl.quiet = True
    qtbot.addWidget(ctrl.window)
    w = ctrl.window
    w.show()
    panel = w.session_panel
    panel.select_kind("guided:soothing-rhythm.en")
    assert panel.minutes.isEnabled()
    panel.minutes.setValue(3)
    shown = []

    async def scenario():
        w.start_btn.click()
        assert not w.pacer_controls.apply.isEnabled()  # the plan drives the pacer
        ctrl.guided.on_prompt.append(lambda q: shown.append((q.text if q else None, w.prompt.text.text())))
        await until(lambda: session_s(ctrl) > 75.0)  # beats processed to 75 s, however busy the machine
        assert ctrl.trainer.schedule.rate_scalar(session_s(ctrl)) > 0  # slowing down with the pacer
        assert "left in the session" in w.prompt.phase.text()
        w.pacer_controls.no_pacer.setChecked(True)  # "I'd rather breathe in my own way"
        await until(lambda: ctrl.trainer.schedule.rate_scalar(ctrl.clock.now()) == 0)
        w.pacer_controls.no_pacer.setChecked(False)  # and back to the pacer
        await until(lambda: w.reflection.isVisible())
        assert ctrl.trainer is None and w.start_btn.isEnabled()
        assert "feel" in w.reflection.question.text()
        w.reflection.slider.setValue(8)
        w.reflection.save.click()
        assert not w.reflection.isVisible()
        await until(lambda: any(r["rating"] == 8 for r in Library.open().sessions()))

    loop.run_until_complete(scenario())
    # every prompt was shown in the window, in order
    texts = [a for a, _ in shown if a]
    assert texts == [q.text for q in ctrl.guided.plan.prompts]
    assert all(label == a for a, label in shown if a)
    assert "comfortable" in texts[0]
    rec = read_recording(ctrl.last_path)
    assert rec.kind == "guided" and rec.guided.ratings[-1].value == 8
    assert len(rec.guided.prompts) == len(ctrl.guided.plan.prompts)
    assert rec.beat_t_s[-1] > 170.0  # beats to the end of the 3 minutes
    labels = [e.label for e in rec.pacer]
    assert labels[0] == "settle" and "own rhythm" in labels and "rest" in labels
    ramp = next(e for e in rec.pacer if e.label == "slow")
    assert ramp.ramp_to_bpm == 6.0 and ramp.rate_bpm > 8.0  # from one's own, faster breathing


def test_resonance_assessment_from_the_window_sets_the_pacer_rate(qtbot, loop, home, monkeypatch):
    from vagal_coach.session import protocols
    from vagal_coach.session.library import load_profile

    short = protocols.stepped(minutes=1.5)  # 5 rates x 1.5 min (enough clean breaths at each), 60x clock: ~8 s
    monkeypatch.setattr(protocols, "stepped", lambda *a, **k: short)
    ctrl = TrainController(simulate=True, speed=60.0, profile="ana")
    ctrl.quiet = True
    qtbot.addWidget(ctrl.window)
    w = ctrl.window
    w.show()
    assert "not assessed" in w.session_panel.rf.text()
    w.session_panel.select_kind("rf-stepped")

    async def scenario():
        w.start_btn.click()
        try:
            await until(lambda: ctrl.result_dialog is not None and ctrl.result_dialog.isVisible())
        except AssertionError:
            raise AssertionError(f"no result dialog; status: {w.status.text()}") from None

    loop.run_until_complete(scenario())
    dlg = ctrl.result_dialog
    assert dlg.table.rowCount() == 5
    rec_bpm = dlg.recommendation.recommended_bpm
    assert rec_bpm is not None and 4.5 <= rec_bpm <= 6.5
    dlg.use.click()
    assert load_profile("ana")["resonance_bpm"] == rec_bpm
    assert w.pacer_controls.rate.value() == pytest.approx(rec_bpm)
    assert f"{rec_bpm:g}" in w.session_panel.rf.text()
    assert read_recording(ctrl.last_path).kind == "rf-stepped"
    # the fine-tune offer selects the short protocol around it
    dlg.fine.click()
    assert w.session_panel.current_kind() == "rf-fine-tune"


def test_history_view_lists_sessions_and_opens_a_replay(qtbot, loop, home):
    import shutil

    from tests.conftest import RECORDINGS

    d = home / "recordings" / "ana"
    d.mkdir(parents=True)
    shutil.copy(RECORDINGS / "synthetic-practice-6bpm.vcs.jsonl", d / "20261101-090000-practice.vcs.jsonl")
    (d / "20261102-090000-practice.vcs.jsonl").write_bytes(b"\x00garbage")
    ctrl = TrainController(simulate=True)
    ctrl.quiet = True
    qtbot.addWidget(ctrl.window)
    out = home / "progress.pdf"

    async def scenario():
        ctrl.window.session_panel.history.click()
        await until(lambda: ctrl.history is not None and ctrl.history.table.rowCount() == 2)
        h = ctrl.history
        status_col = [c[1] for c in h_columns()].index("status")
        statuses = [h.table.item(i, status_col).text() for i in range(2)]
        assert any(s.startswith("unreadable") for s in statuses) and "ok" in statuses
        assert "1 session, 1 unreadable" in h.summary.text()
        x, y = h.points["session_rmssd_ms"].getData()
        assert len(x) == 1 and y[0] > 0
        ok_row = statuses.index("ok")
        h.table.cellDoubleClicked.emit(1 - ok_row, 0)
        assert "cannot be opened" in h.summary.text() and not ctrl.replays
        h.table.cellDoubleClicked.emit(ok_row, 0)
        assert len(ctrl.replays) == 1 and ctrl.replays[0].window.isVisible()
        await ctrl.history_report(out)

    loop.run_until_complete(scenario())
    qtbot.addWidget(ctrl.history)
    qtbot.addWidget(ctrl.replays[0].window)
    assert out.read_bytes()[:5] == b"%PDF-"


def h_columns():
    from vagal_coach.gui.history_view import COLUMNS

    return COLUMNS


def test_the_clients_own_coherence_target_is_kept_and_used(qtbot, loop, home):
    from vagal_coach.session.library import load_profile

    ctrl = TrainController(simulate=True, speed=60.0, profile="ben")
    ctrl.quiet = True
    qtbot.addWidget(ctrl.window)
    ctrl.window.session_panel.target.setValue(2.5)
    assert load_profile("ben")["coherence_target"] == 2.5

    async def scenario():
        ctrl.window.start_btn.click()
        await until(lambda: session_s(ctrl) > 90.0)
        ctrl.window.stop_btn.click()
        await asyncio.wait_for(ctrl.task, 120)

    loop.run_until_complete(scenario())
    assert ctrl.summary.target_coherence == 2.5 and "(2.5)" in ctrl.window.status.text()
    again = TrainController(simulate=True, profile="ben")
    qtbot.addWidget(again.window)
    assert again.window.session_panel.target.value() == 2.5


def test_plot_axes_move_rarely_and_on_round_numbers():
    from vagal_coach.gui.plots import minute_ceiling, nice_range

    assert nice_range(61.3, 78.9) == (60.0, 80.0)
    assert nice_range(0.0, 3712.0) == (0.0, 4000.0)
    lo, hi = nice_range(0.0, 0.7)
    assert lo == 0.0 and 0.7 <= hi <= 1.0
    # kept while the data stays inside and the range is not far too wide
    assert nice_range(63.0, 77.0, current=(60.0, 80.0)) == (60.0, 80.0)
    assert nice_range(60.5, 81.0, current=(60.0, 80.0)) != (60.0, 80.0)
    assert nice_range(70.0, 71.0, current=(0.0, 200.0), min_span=1.0) != (0.0, 200.0)
    a, b = nice_range(5.0, 5.0, min_span=10.0)
    assert a <= 5.0 < b
    assert [minute_ceiling(t) for t in (0.0, 119.0, 120.5, 3599.0)] == [120.0, 120.0, 180.0, 3600.0]


def test_replay_shows_a_guided_sessions_prompts_where_they_were_shown(qtbot, loop, tmp_path):
    import shutil

    from tests.conftest import RECORDINGS
    from vagal_coach.io.native import append_event

    src = tmp_path / "g.vcs.jsonl"
    shutil.copy(RECORDINGS / "synthetic-practice-6bpm.vcs.jsonl", src)
    append_event(src, {"type": "guided", "t": 0.0, "script": "soothing-rhythm", "prompt_seconds": 10.0})
    append_event(src, {"type": "prompt", "t": 100.0, "phase": "soothing", "index": 0, "text": "a warm smile"})
    append_event(src, {"type": "prompt", "t": 200.0, "phase": "soothing", "index": 1, "text": "feel the ground"})
    ctrl = ReplayController(str(src))
    qtbot.addWidget(ctrl.window)
    for t, want in ((50.0, ""), (105.0, "a warm smile"), (115.0, ""), (201.0, "feel the ground")):
        ctrl.seek(t)
        assert ctrl.window.prompt.text.text() == want


def test_first_minute_simulated_strap_connected_start_is_the_one_click_left(qtbot, loop, home):
    """`train --simulate` (or no strap found): the simulated strap is connected, Start is the default button;
    the empty plots show their real axes and what they wait for; resonance and coherence appear from about
    60 s, marked provisional until their 2 min window is full."""
    ctrl = TrainController(simulate=True, speed=60.0)
    ctrl.quiet = True
    w = ctrl.window
    qtbot.addWidget(w)
    w.show()
    assert "connected" in w.device.link.text() and not w.device.connect_btn.isEnabled()
    assert w.start_btn.isDefault() and w.start_btn.isEnabled() and "SIMULATED" in w.device.sim_label.text()
    assert "press Start" in w.status.text()
    plots = w.plots
    assert plots.p_tone.vb.viewRange()[0] == [0.0, 120.0]  # session time, not 0-1
    assert plots.p_hr.vb.viewRange()[1] == [50.0, 100.0] and plots.p_tone.vb.viewRange()[1] == [0.0, 100.0]
    assert plots.p_tone.getAxis("bottom").labelText == "session time (s)"
    assert plots.p_tone.getAxis("left").labelText == "ms"
    assert all(n.isVisible() for n in plots.waiting) and "waiting for beats" in plots.waiting[0].toPlainText()
    prov = w.numbers.provisional
    seen = {}

    def on_snapshot(s) -> None:  # every beat's snapshot, however busy the machine
        if math.isfinite(s.coherence):
            seen.setdefault("first_coherence_s", s.t_s)
        if 80.0 < s.t_s < 110.0 and "caption_early" not in seen:
            w.numbers.show_snapshot(s, s.t_s)
            seen["caption_early"] = prov["coherence"].isVisibleTo(w)

    async def scenario():
        w.start_btn.click()
        ctrl.trainer.session.on_snapshot.append(on_snapshot)
        await until(lambda: plots.series.size > 0)
        assert not plots.waiting[0].isVisible()
        await until(lambda: session_s(ctrl) >= 130.0)
        w.numbers.show_snapshot(ctrl.trainer.session.status.last, ctrl.clock.now())
        seen["caption_late"] = prov["coherence"].isVisibleTo(w)
        w.stop_btn.click()
        await asyncio.wait_for(ctrl.task, 120)

    loop.run_until_complete(scenario())
    assert 55.0 <= seen["first_coherence_s"] <= 75.0
    assert seen["caption_early"] and not seen["caption_late"]  # its own line: the tile keeps its size


def test_no_strap_found_connects_the_simulated_one(qtbot, loop, home, monkeypatch):
    import vagal_coach.sensors.ble as ble

    async def no_straps(timeout_s=5.0, adapter=None):
        return []

    monkeypatch.setattr(ble, "scan", no_straps)
    ctrl = TrainController()
    qtbot.addWidget(ctrl.window)
    loop.run_until_complete(ctrl.scan())
    w = ctrl.window
    assert w.device.simulated_only() and "connected" in w.device.link.text() and w.start_btn.isDefault()
    assert "No strap found" in w.status.text() and "not a real sensor" in w.status.text()


def test_device_panel_says_how_long_it_has_been_searching():
    from vagal_coach.session.runner import SessionStatus

    st = SessionStatus(link="searching", searching_since_s=10.0)
    assert st.link_text(52.0) == "searching for the strap (0:42)"
    st.searching_since_s = None
    st.link = "connected"
    assert st.link_text(60.0) == "connected"


def test_raw_streams_show_the_chest_breath_under_the_pacer_the_beat_source_and_adherence(qtbot, loop, home):
    """The simulated strap streams an H10's ECG and ACC: the device panel says the beats come from the ECG
    and agree with the strap's RR, the chest's breath is drawn over the pacer's curve (following it: the
    simulated client breathes with the pacer), and the summary gives the breathing and its adherence."""
    ctrl = TrainController(simulate=True, speed=30.0)  # raw streams cost more: 30 times keeps up on a busy machine
    ctrl.quiet = True
    qtbot.addWidget(ctrl.window)
    ctrl.window.show()
    w = ctrl.window

    async def scenario():
        w.start_btn.click()
        await until(lambda: session_s(ctrl) > 210.0)  # 3.5 min of session
        ctrl.status_tick()
        assert w.device.rr_source.text().startswith("beats from the ECG ✓")
        assert "its own RR agrees: 100 % of beats" in w.device.rr_source.text()
        assert w.device.breath.text().startswith("breathing ") and "% with the pacer" in w.device.breath.text()
        assert not w.device.breath.isHidden()
        p = w.plots
        p.redraw(ctrl.clock.now(), staggered=False)
        x, y = p.chest_curve.getData()
        assert p.chest_oriented and x is not None and len(x) > 500
        # the chest's breath lies on the pacer's curve: both on the same band of the HR plot
        gx, gy = p.breath_curve.getData()
        pacer_y = np.interp(x, gx, gy)
        ok = np.isfinite(pacer_y)
        assert np.corrcoef(y[ok], pacer_y[ok])[0, 1] > 0.8
        w.stop_btn.click()
        await asyncio.wait_for(ctrl.task, 120)

    loop.run_until_complete(scenario())
    s = ctrl.summary
    assert s.rr_source == "ecg" and s.n_breaths >= 15
    assert s.breathing_rate_bpm == pytest.approx(6.0, abs=0.3)
    assert s.breath_share_following > 0.8 and abs(s.breath_median_lag_deg) < 30
    assert "Breathing (chest)" in w.status.text() and "% of breaths" in w.status.text()
    rec = read_recording(s.path)
    assert rec.ecg is not None and rec.acc is not None and rec.rr_source == "ecg"
    # the clinician's replay: the chest's breath drawn again, the session's adherence said
    async def replay():  # the replay's loading task starts in the running loop
        rp = ReplayController(s.path)
        qtbot.addWidget(rp.window)
        await asyncio.wait_for(rp.breath_task, 120)
        return rp

    rp = loop.run_until_complete(replay())
    assert rp.breath_text.startswith("Breathing (chest)") and "% of breaths" in rp.breath_text
    rp.seek(150.0)
    x, y = rp.window.plots.chest_curve.getData()
    assert rp.window.plots.chest_oriented and x is not None and len(x) > 500 and x.max() <= 0.0
