"""Gaps in the recording: opened when the link drops, closed when beats resume, kept when the session
ends during an outage; read back as one gap each, whatever the rounding of the lines."""

from __future__ import annotations

import pytest

from vagal_coach.io import read_recording
from vagal_coach.io.native import NativeWriter
from vagal_coach.sensors.events import LinkEvent, Notification
from vagal_coach.sensors.hrm import encode_hrm
from vagal_coach.session.recorder import Recorder
from vagal_coach.session.runner import Session


class _NoSource:
    name, simulated = "none", False

    async def events(self):  # pragma: no cover - the test drives Session.handle directly
        if False:
            yield None

    async def close(self) -> None:
        pass


def _beats(session: Session, t0: float, n: int, rr_ms: float = 800.0) -> float:
    t = t0
    for _ in range(n):
        t += rr_ms / 1000.0
        session.handle(Notification(t, encode_hrm(75, [rr_ms])))
    return t


@pytest.mark.parametrize("resumes", [True, False])
def test_link_loss_opens_a_gap_at_once_and_beats_close_it(tmp_path, resumes):
    path = tmp_path / "s.vcs.jsonl"
    session = Session(_NoSource(), recorder=Recorder(path))
    t = _beats(session, 0.0, 20)
    session.handle(LinkEvent(t + 0.3, "lost", "link dropped"))
    session.handle(LinkEvent(t + 0.3, "searching", "searching for the strap"))
    assert session.status.n_gaps == 1 and session.status.link_text(t + 42.35) == "searching for the strap (0:42)"
    assert '"gap_start"' in path.read_text()  # written when the link drops, not when beats resume
    if resumes:
        session.handle(LinkEvent(t + 6.0, "connected", "AA"))
        _beats(session, t + 6.0, 10)
    session.recorder.close(t + 30.0)
    rec = read_recording(path)
    assert len(rec.gaps) == 1 and rec.gaps[0].start_s == pytest.approx(rec.beat_t_s[19], abs=1e-3)
    if resumes:  # closed where the first beat after the outage began
        assert rec.gaps[0].end_s == pytest.approx(rec.beat_t_s[20] - rec.rr_ms[20] / 1000, abs=1e-3)
        assert rec.gaps[0].reason == "link lost" and rec.n_beats == 30
    else:
        assert rec.gaps[0].end_s == pytest.approx(t + 30.0) and "ended before beats resumed" in rec.gaps[0].reason


def test_open_and_closed_gap_lines_match_whatever_their_rounding(tmp_path):
    p = tmp_path / "r.vcs.jsonl"
    with NativeWriter(p) as w:
        w.beats([0.8, 1.6], [800.0, 800.0])
        w.event("gap_start", 7.129473929, t0=7.129473929, reason="link lost")  # as older files wrote it
        w.event("gap", 0.0, t0=7.1295, t1=13.9645, reason="link lost")
    rec = read_recording(p)
    assert [(g.start_s, g.end_s) for g in rec.gaps] == [(7.1295, 13.9645)]
