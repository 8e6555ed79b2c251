"""The optional chime: its tone, its absence when QtMultimedia or audio is missing, and the turns it marks."""

from __future__ import annotations

import io
import sys
import wave

import numpy as np
import pytest

pytest.importorskip("PySide6")

from vagal_coach.gui.sound import SAMPLE_RATE_HZ, Chime, chime_samples, chime_wav  # noqa: E402


def test_chime_is_soft_clickless_and_at_its_pitch():
    x = chime_samples(freq_hz=432.0, duration_s=0.9, volume=0.18).astype(float) / 32767
    assert x.size == int(0.9 * SAMPLE_RATE_HZ)
    assert np.max(np.abs(x)) == pytest.approx(0.18, abs=1e-4)
    assert abs(x[0]) < 1e-3 and abs(x[-1]) < 1e-3  # fades in and out: no click
    spec = np.abs(np.fft.rfft(x))
    f = np.fft.rfftfreq(x.size, 1 / SAMPLE_RATE_HZ)
    assert f[np.argmax(spec)] == pytest.approx(432.0, abs=2.0)
    w = wave.open(io.BytesIO(chime_wav(freq_hz=396.0)))
    assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, SAMPLE_RATE_HZ)


def test_without_qtmultimedia_the_chime_is_unavailable_and_harmless(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "PySide6.QtMultimedia", None)  # as with PySide6-Essentials only
    c = Chime(tmp_path)
    assert not c.available and "PySide6-Addons" in c.reason
    assert c.play("inhale") is False


def test_pacer_reports_each_turn_of_the_breath(qtbot):
    from vagal_coach.gui.pacer_widget import PacerWidget
    from vagal_coach.model.pacer import PacerSchedule

    now = [0.0]
    sched = PacerSchedule.constant(6.0, inhale_fraction=0.4)
    w = PacerWidget(lambda: now[0], lambda: sched)
    qtbot.addWidget(w)
    w.timer.stop()
    turns = []
    w.turned.connect(lambda st: turns.append((round(now[0], 2), st)))
    w.hidden_pacer = True  # heard with eyes closed too
    for t in np.arange(0.0, 30.0, 1 / 60):
        now[0] = float(t)
        w._tick()
    ins = [t for t, s in turns if s == "inhale"]
    outs = [t for t, s in turns if s == "exhale"]
    assert ins == pytest.approx([10.0, 20.0], abs=0.02) and outs == pytest.approx([4.0, 14.0, 24.0], abs=0.02)


def test_window_greys_the_chime_out_with_the_reason(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("VAGAL_COACH_HOME", str(tmp_path / "home"))
    monkeypatch.setitem(sys.modules, "PySide6.QtMultimedia", None)
    from vagal_coach.gui.app import TrainController

    ctrl = TrainController(simulate=True)
    qtbot.addWidget(ctrl.window)
    box = ctrl.window.pacer_controls.chime
    box.setChecked(True)
    assert not box.isChecked() and not box.isEnabled() and "PySide6-Addons" in box.toolTip()
    assert "No chime" in ctrl.window.status.text()


def test_chime_plays_where_qtmultimedia_and_an_audio_device_exist(qtbot, tmp_path):
    """Runs with the `sound` extra (PySide6-Addons), libpulse0 and an audio sink (a null sink will do)."""
    qtmm = pytest.importorskip("PySide6.QtMultimedia", exc_type=ImportError)
    if not qtmm.QMediaDevices.audioOutputs():
        pytest.skip("no audio output device")
    c = Chime(tmp_path)
    assert c.available, c.reason
    fx = c._effects["exhale"]
    qtbot.waitUntil(fx.isLoaded, timeout=3000)
    assert c.play("exhale") and (tmp_path / "chime-exhale.wav").stat().st_size > 30_000
    qtbot.waitUntil(fx.isPlaying, timeout=2000)
