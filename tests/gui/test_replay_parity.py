"""One replay: the replay window sends a recording through the same session pipeline as `replay --headless`
(an H10's raw ECG and ACC frames included), so every figure it shows equals the headless one."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("qasync")


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "vagal_coach", *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def h10(tmp_path_factory):
    d = tmp_path_factory.mktemp("h10")
    out = d / "h10.vcs.jsonl"
    r = _cli("record", "--simulate", "--duration", "240", "--speed", "max", "--rate", "6",
             "--out", str(out))
    assert r.returncode == 0, r.stderr
    js, sj = d / "snap.jsonl", d / "summary.json"
    r = _cli("replay", str(out), "--headless", "--speed", "max", "--jsonl", str(js), "--summary-json", str(sj))
    assert r.returncode == 0, r.stderr
    return out, [json.loads(x) for x in js.read_text().splitlines()], json.loads(sj.read_text())


def _same(a, b, rel=1e-9):
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)):
        return (a is None or a != a) and (b is None or b != b)
    if isinstance(a, (int, float)) and not isinstance(a, bool):
        return a == pytest.approx(b, rel=rel, abs=1e-9)
    return a == b


def test_replay_window_figures_equal_the_headless_replay_on_an_h10_recording(qtbot, loop, h10, monkeypatch):
    import vagal_coach.gui.replay as replay
    from vagal_coach.gui.app import ReplayController

    monkeypatch.setattr(replay, "CHECKPOINT_S", 40.0)  # a seek back starts from the state kept at 40, 80, ... s
    from vagal_coach.io import read_recording

    path, headless, headless_summary = h10
    rec = read_recording(path)
    assert rec.rr_source == "ecg" and rec.ecg is not None and rec.acc is not None
    rp = ReplayController(str(path))
    qtbot.addWidget(rp.window)
    rp.seek(rp.duration_s)
    assert rp.session.ecg_beats_used > 0  # the raw frames went through: beats from the ECG, as headless
    assert len(rp.snapshots) == len(headless)
    for mine, theirs in ((rp.snapshots[len(headless) // 2].as_dict(), headless[len(headless) // 2]),
                         (rp.last.as_dict(), headless[-1])):
        diff = {k: (v, theirs[k]) for k, v in mine.items() if not _same(v, theirs[k])}
        assert diff == {}
    s = rp.summary().as_dict()
    diff = {k: (v, headless_summary[k]) for k, v in s.items() if not _same(v, headless_summary[k])}
    assert diff == {}
    # and on screen: the tiles at the end are the summary's, the status line says it
    w = rp.window
    assert w.numbers.values["rmssd"].text() == f"{headless_summary['practice_rmssd_ms']:.0f}"
    assert w.numbers.values["resonance"].text() == f"{headless_summary['mean_resonance_ms2']:.0f}"
    assert "Beats from the strap's ECG" in w.status.text() and "Breathing (chest)" in w.status.text()
    # a seek back starts from a state kept on the way (or the beginning): figures at a moment never depend
    # on the way there
    assert sorted(rp._checkpoints) == [1, 2, 3, 4, 5]
    rp.seek(100.0)
    at_100, n = rp.last.as_dict(), len(rp.snapshots)
    rp.seek(50.0)
    rp.seek(100.0)
    assert rp.last.as_dict() == at_100 and len(rp.snapshots) == n
    assert rp.window.plots.series.size == n  # the plots hold what was replayed, once
    assert 90.0 < at_100["t_s"] <= 100.0
    assert {k: v for k, v in at_100.items() if not _same(v, headless[n - 1][k])} == {}


def test_a_long_seek_goes_a_chunk_at_a_time_and_the_newest_wins(qtbot, loop, h10):
    from vagal_coach.gui.app import ReplayController

    path, headless, _ = h10
    rp = ReplayController(str(path))
    qtbot.addWidget(rp.window)
    seen = []
    bar = rp.window.replay_bar
    show = bar.set_position
    bar.set_position = lambda t: (seen.append(int(t)), show(t))

    async def scenario():
        rp.request_seek(60.0)
        rp.request_seek(rp.duration_s)  # the newer seek takes over
        await rp._seek_task
        first = rp.snapshots[:]
        await rp.seek_async(30.0, chunk=200)  # back: from the start, a chunk at a time
        await rp.seek_async(rp.duration_s, chunk=200)
        return first

    first = loop.run_until_complete(scenario())
    assert len(first) == len(headless) == len(rp.snapshots)
    assert all(_same(v, b.as_dict()[k]) for a, b in zip(rp.snapshots, first) for k, v in a.as_dict().items())
    assert {k: v for k, v in rp.last.as_dict().items() if not _same(v, headless[-1][k])} == {}
    assert len(set(seen)) >= 5  # the seek bar moved while it went
