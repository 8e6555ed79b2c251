"""A live link gone silent (the source's data watchdog says "silent"): the status counts from the last data, a gap
opens at the last beat with its reason, and the first data after it clears the status and closes the gap."""

from __future__ import annotations

import pytest

from tests.session.test_gaps import _beats, _NoSource
from vagal_coach.io import read_recording
from vagal_coach.sensors.events import LinkEvent
from vagal_coach.session.recorder import Recorder
from vagal_coach.session.runner import Session


def test_silence_is_counted_from_the_last_data_and_marked_as_a_gap(tmp_path):
    path = tmp_path / "s.vcs.jsonl"
    session = Session(_NoSource(), recorder=Recorder(path))
    t = _beats(session, 0.0, 20)  # the last notification arrives at t
    st = session.status
    session.handle(LinkEvent(t + 5.0, "silent", "no data from the strap for 5 s: reconnecting"))
    assert st.link_text(t + 7.2) == "no data from the strap (0:07)"
    assert st.n_gaps == 1 and '"gap_start"' in path.read_text()
    # the recycle: the search and the new connection keep saying that no data comes
    session.handle(LinkEvent(t + 5.1, "searching", "searching for the strap"))
    session.handle(LinkEvent(t + 6.0, "connected", "AA"))
    assert st.link_text(t + 9.0) == "no data from the strap (0:09)"
    _beats(session, t + 6.5, 10)
    assert st.link_text(t + 16.0) == "connected" and st.silent_since_s is None
    session.recorder.close(t + 20.0)
    rec = read_recording(path)
    assert len(rec.gaps) == 1 and rec.gaps[0].reason == "no data from the strap"
    assert rec.gaps[0].start_s == pytest.approx(rec.beat_t_s[19], abs=1e-3)
    assert rec.gaps[0].end_s == pytest.approx(rec.beat_t_s[20] - rec.rr_ms[20] / 1000, abs=1e-3)
    assert [s for _, s in rec.links] == ["silent", "searching", "connected"]


def test_a_real_loss_after_silence_says_searching(tmp_path):
    session = Session(_NoSource(), recorder=Recorder(tmp_path / "s.vcs.jsonl"))
    t = _beats(session, 0.0, 5)
    session.handle(LinkEvent(t + 5.0, "silent", "no data"))
    session.handle(LinkEvent(t + 8.0, "lost", "link dropped"))
    assert session.status.link_text(t + 10.0) == "searching for the strap (0:02)"
    assert session.status.n_gaps == 1
    session.recorder.close(t + 11.0)
