"""Issue 17: a clinician's markers and notes added in replay go beside the recording (a sidecar read with it),
never into the client's recording's bytes."""

from __future__ import annotations

import asyncio
import gc
import shutil

import pytest

from tests.conftest import RECORDINGS
from vagal_coach.io import read_recording

pytest.importorskip("PySide6")
qasync = pytest.importorskip("qasync")


@pytest.fixture
def loop(qapp):
    lp = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(lp)
    yield lp
    gc.collect()
    gc.disable()
    try:
        lp.close()
    finally:
        gc.enable()


@pytest.mark.parametrize("name", ["synthetic-practice-6bpm.vcs.jsonl", "pyhrv-nn-5min.txt"])
def test_replay_markers_go_to_a_sidecar(qtbot, loop, tmp_path, monkeypatch, name):
    from vagal_coach.gui.app import ReplayController
    from vagal_coach.io.notes import notes_path

    monkeypatch.setenv("VAGAL_COACH_HOME", str(tmp_path / "home"))
    src = tmp_path / name
    shutil.copy(RECORDINGS / name, src)
    before = src.read_bytes()
    n_before = len(read_recording(src).markers)
    ctrl = ReplayController(str(src))
    qtbot.addWidget(ctrl.window)
    ctrl.seek(100.0)
    ctrl.add_marker("calmer now", "client smiled")
    ctrl.add_marker("second", "")
    assert src.read_bytes() == before  # the recording as recorded
    side = notes_path(src)
    assert side.is_file() and (side.stat().st_mode & 0o777) == 0o600
    back = read_recording(src)
    mine = [m for m in back.markers if m.label in ("calmer now", "second")]
    assert len(back.markers) == n_before + 2 and [m.note for m in mine] == ["client smiled", ""]
    assert mine[0].t_s == pytest.approx(100.0, abs=0.5)
    assert "beside the recording" in ctrl.window.status.text()
