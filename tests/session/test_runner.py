"""The session's order: the recorder first (what arrived is on disk before anything computed on it can
fail), then the engine, then the trackers it composes."""

import json
import math

import numpy as np
import pytest

from vagal_coach.clock import Clock
from vagal_coach.io import read_recording
from vagal_coach.sensors.events import LinkEvent, Notification, PmdFrame
from vagal_coach.sensors.hrm import Contact, encode_hrm
from vagal_coach.session.beatclock import BeatBatch
from vagal_coach.session.engine import LiveEngine
from vagal_coach.session.recorder import Recorder
from vagal_coach.session.runner import Session
from vagal_coach.session.tracking import BeatSourceSwitch, GapTracker


class NoSource:
    name = "none"

    async def events(self):  # pragma: no cover - never iterated here
        return
        yield

    async def close(self) -> None:
        pass


class FailingAnalysis(LiveEngine):
    def _beat(self, t_s, rr_ms):
        raise RuntimeError("the analysis failed")


class FailingBeatClock(LiveEngine):
    def place(self, t_arrival_s, m):
        raise RuntimeError("the beat clock failed")


def _session(tmp_path, engine):
    rec = Recorder(tmp_path / "s.vcs.jsonl", source="test")
    return Session(NoSource(), engine, rec, Clock(math.inf)), rec


def test_an_engine_that_raises_still_leaves_the_notification_on_disk(tmp_path):
    sess, rec = _session(tmp_path, FailingAnalysis())
    raw = encode_hrm(60, [1000.0], Contact.CONTACT)
    with pytest.raises(RuntimeError, match="analysis failed"):
        sess.handle(Notification(1.0, raw))
    rec.close()  # nothing more is written: what is on disk was there before the engine failed
    got = read_recording(rec.path)
    assert got.notifications is not None and got.notifications.raw == [raw]
    assert got.rr_ms.tolist() == [1000.0] and got.beat_t_s.tolist() == [1.0]


def test_a_beat_clock_that_raises_still_leaves_the_bytes_on_disk(tmp_path):
    sess, rec = _session(tmp_path, FailingBeatClock())
    raw = encode_hrm(61, [990.0], Contact.CONTACT)
    with pytest.raises(RuntimeError, match="beat clock failed"):
        sess.handle(Notification(2.5, raw))
    rec.close()
    lines = [json.loads(x) for x in rec.path.read_text().splitlines()[1:]]
    assert {"type": "bad_notification", "t": 2.5, "raw": raw.hex()} in lines


def test_a_raw_frame_is_on_disk_before_it_is_decoded(tmp_path, monkeypatch):
    sess, rec = _session(tmp_path, LiveEngine())

    def fail(t_s, raw):
        raise RuntimeError("decoding failed")

    monkeypatch.setattr(sess.raw, "push", fail)
    with pytest.raises(RuntimeError, match="decoding failed"):
        sess.handle(PmdFrame(3.0, b"\x00\x01\x02"))
    rec.close()
    lines = [json.loads(x) for x in rec.path.read_text().splitlines()[1:]]
    assert {"type": "pmd", "t": 3.0, "raw": "000102"} in lines


def test_a_link_loss_opens_a_gap_at_the_last_beat_and_beats_close_it(tmp_path):
    sess, rec = _session(tmp_path, LiveEngine())
    for k in range(1, 6):
        sess.handle(Notification(float(k), encode_hrm(60, [1000.0], Contact.CONTACT)))
    sess.handle(LinkEvent(5.5, "lost", "test"))
    assert sess.status.open_gap_start_s == 5.0 and sess.status.searching_since_s == 5.5
    sess.handle(LinkEvent(20.0, "connected", ""))
    assert sess.status.searching_since_s is None
    sess.handle(Notification(21.0, encode_hrm(60, [1000.0], Contact.CONTACT)))
    rec.close()
    assert sess.status.open_gap_start_s is None
    assert [(g.start_s, g.end_s, g.reason) for g in sess.status.gaps] == [(5.0, 20.0, "link lost")]
    assert [(g.start_s, g.end_s) for g in read_recording(rec.path).gaps] == [(5.0, 20.0)]


def test_the_trackers_alone():
    gaps = GapTracker()
    assert gaps.link_lost(3.0, None, have_beats=False) is None  # no beat yet: nothing to open
    assert gaps.link_lost(4.0, 2.0, have_beats=True) == 2.0 and gaps.searching_since_s == 3.0
    assert gaps.link_lost(5.0, 2.0, have_beats=True) is None  # one open gap at a time
    g = gaps.beats(BeatBatch(np.array([10.0]), np.array([1000.0])))
    assert (g.start_s, g.end_s) == (2.0, 9.0) and gaps.open_start_s is None
    g = gaps.beats(BeatBatch(np.array([30.0]), np.array([1000.0]), gap=(10.0, 29.0)))
    assert (g.start_s, g.end_s, g.reason) == (10.0, 29.0, "no beats received")
    switch = BeatSourceSwitch()
    assert switch.update(False) is None and switch.update(True) == "ecg" and switch.update(True) is None
    assert switch.update(False) == "strap" and switch.source == "strap"
