"""Issue 17: a damaged recording opened for replay is one line naming the file and the reason, never a
traceback: ``vagal-coach replay FILE`` (the window) exits 2 with that line, the history's "open" shows it in
its status text, and a replay that fails while it plays says so in the window's status bar."""

from __future__ import annotations

import asyncio
import logging
import shutil

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("qasync")

from tests.conftest import RECORDINGS  # noqa: E402
from tests.safety import shapes  # noqa: E402
from vagal_coach.cli import main  # noqa: E402

DAMAGED = {
    "format_version-not-int": ("x.vcs.jsonl", shapes.native({"format_version": "x1"}), ":1: ", "format_version"),
    "rr-abc": ("x.vcs.jsonl", shapes.native(extra=shapes.note(400, rr="abc")), ":201: ", "not a number"),
    "pacer-nan": ("x.vcs.jsonl", shapes.native(extra='{"type":"pacer","t":0,"rate_bpm":NaN}\n'), ": ", "pacer"),
    "header-only": ("x.vcs.jsonl", shapes.native(n=1), ": ", "no R-R intervals"),
    "empty": ("x.txt", b"", ": ", "empty file"),
    "binary": ("x.txt", bytes(range(256)) * 8, ": ", "binary data"),
}


@pytest.mark.parametrize("name", sorted(DAMAGED))
def test_replay_window_of_a_damaged_recording_is_one_line_and_exit_2(qapp, tmp_path, capsys, name):
    fname, data, where, words = DAMAGED[name]
    f = shapes.write(tmp_path, fname, data)
    assert main(["replay", str(f)]) == 2
    cap = capsys.readouterr()
    err = cap.err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in cap.err, cap.err
    assert err[0].startswith(f"vagal-coach: error: {f}{where}") and words in err[0], err[0]
    assert f.read_bytes() == data
    assert not [w for w in qapp.topLevelWidgets() if w.isVisible()]  # no window was left open


@pytest.mark.parametrize("name", ["rr-abc", "binary"])
def test_opening_a_damaged_recording_from_the_history_is_one_status_line(qtbot, loop, tmp_path, name):
    from vagal_coach.gui.app import TrainController

    fname, data, where, words = DAMAGED[name]
    f = shapes.write(tmp_path, fname, data)
    ctrl = TrainController(simulate=True)
    qtbot.addWidget(ctrl.window)
    loop.run_until_complete(ctrl.open_history())
    qtbot.addWidget(ctrl.history)
    assert ctrl.open_replay(str(f)) is None
    text = ctrl.history.summary.text()
    assert "\n" not in text and text.startswith(f"{f}{where}") and words in text, text
    assert ctrl.replays == []


def test_a_replay_that_fails_while_playing_says_so_in_one_status_line(qtbot, loop, tmp_path, caplog):
    from vagal_coach.gui.app import ReplayController

    src = tmp_path / "s.vcs.jsonl"
    shutil.copy(RECORDINGS / "synthetic-practice-6bpm.vcs.jsonl", src)
    rp = ReplayController(str(src))
    qtbot.addWidget(rp.window)

    def broken(ev):  # a fault inside the session (a bug, or a shape no reader foresaw)
        raise ZeroDivisionError("float division by zero")

    async def scenario():
        rp.session.handle = broken
        rp.set_speed(16.0)
        rp.set_playing(True)
        deadline = asyncio.get_running_loop().time() + 120.0  # a guard against a hang, not a timing
        while not rp.error and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)

    with caplog.at_level(logging.ERROR):
        loop.run_until_complete(scenario())
    assert rp.error == (f"{src}: unexpected ZeroDivisionError: float division by zero (a bug in vagal-coach)")
    assert rp.window.status.text() == rp.error and not rp.playing
    # a seek that fails is the same line
    rp.error = ""
    loop.run_until_complete(rp.seek_async(rp.duration_s))
    assert rp.error.startswith(f"{src}: unexpected ZeroDivisionError")
    assert not [r for r in caplog.records if "exception" in r.getMessage().lower()]
