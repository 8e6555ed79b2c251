"""An accelerometer that reads flat on all three axes (issue #20): no breaths are taken from it (so nothing is
said of the pacer) and the breathing rate comes from the heart's rhythm, the RSA peak of the HR spectrum, as
for a strap without an accelerometer; the status line says so. Driven through the session, event by event."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from tests import pmd_wire
from vagal_coach import synth
from vagal_coach.cli import main
from vagal_coach.clock import Clock
from vagal_coach.model.pacer import PacerSchedule
from vagal_coach.sensors.events import DeviceInfo, Notification, PmdFrame
from vagal_coach.sensors.hrm import Contact, encode_hrm
from vagal_coach.session.engine import LiveEngine
from vagal_coach.session.raw import raw_status_texts
from vagal_coach.session.recorder import Recorder
from vagal_coach.session.runner import Session

NS0 = 599_618_436_152_960_000
ACC_HZ = 25


class NoSource:
    name = "none"

    async def events(self):  # pragma: no cover - never iterated here
        return
        yield

    async def close(self) -> None:
        pass


def _run(breath_bpm: float, paced: bool, duration_s: float = 180.0, flat: bool = True,
         recorder: Recorder | None = None) -> Session:
    schedule = PacerSchedule.constant(breath_bpm) if paced else None
    sess = Session(NoSource(), LiveEngine(schedule), recorder, Clock(math.inf))
    sess.handle(DeviceInfo(0.0, {"pmd": {"acc": {"settings": {"sample_rate": ACC_HZ, "resolution": 16, "range": 2},
                                                 "status": "success"}}}))
    beat_t, rr = synth.synthesize(duration_s, breath_bpm, seed=3)
    n = int(duration_s * ACC_HZ)
    t_acc = np.arange(n) / ACC_HZ
    if flat:  # a strap lying still or a dead sensor: one value per axis, now and then a glitch
        acc = np.tile([12.0, -2000.0, 980.0], (n, 1))
        k = np.arange(0, n, 7 * ACC_HZ)
        acc[k, 0] += 400.0
    else:
        _, acc = synth.chest_acc_mg(t_acc, synth.lung_volume(t_acc * breath_bpm / 60.0), ACC_HZ, seed=7)
        acc = np.round(acc)
    events: list[tuple[float, Notification | PmdFrame]] = []
    for t, r in zip(beat_t, rr):
        events.append((t + 0.05, Notification(t + 0.05, encode_hrm(int(6e4 / r), [float(r)], Contact.CONTACT))))
    for j in range(0, n - ACC_HZ + 1, ACC_HZ):
        t_last = (j + ACC_HZ - 1) / ACC_HZ
        frame = pmd_wire.acc_delta_frame(NS0 + int(t_last * 1e9), acc[j:j + ACC_HZ].astype(int))
        events.append((t_last + 0.05, PmdFrame(t_last + 0.05, frame)))
    for _, ev in sorted(events, key=lambda e: e[0]):
        sess.handle(ev)
    return sess


@pytest.mark.parametrize("breath_bpm, paced", [(6.0, True), (13.0, False)])
def test_a_flat_accelerometer_gives_way_to_the_hearts_breathing_rate(breath_bpm: float, paced: bool) -> None:
    sess = _run(breath_bpm, paced)
    st, raw = sess.status, sess.raw
    assert raw.stuck_axes == (True, True, True) and raw.flat
    assert st.breathing_source == "rsa"
    # the spectrum's bins are 4 Hz / 1024 apart (0.23 /min): the RSA peak is within a bin of the breathing
    assert abs(st.breathing_rate_bpm - breath_bpm) < 0.3
    # no breaths from the flat signal, so no adherence is claimed
    assert raw.onsets_t_s == [] and st.n_breaths == 0
    assert math.isnan(st.share_following) and math.isnan(st.last_lag_deg)
    assert raw.adherence(sess.engine.schedule).share_following != raw.adherence(sess.engine.schedule).share_following
    _, br = raw_status_texts(raw.has_ecg, raw.has_acc, st.rr_source, st.agreement, st.breathing_rate_bpm,
                             st.share_following, st.last_lag_deg, paced, raw.starting(), raw.stuck_axes)
    assert br == f"breathing {st.breathing_rate_bpm:.1f} /min from the heart's rhythm (the accelerometer reads flat)"
    assert "pacer" not in br


def test_before_the_heart_gives_a_rate_the_line_says_what_is_being_done() -> None:
    sess = _run(6.0, True, duration_s=40.0)  # a spectrum needs 60 s of beats
    st, raw = sess.status, sess.raw
    assert raw.flat and st.breathing_source == "rsa" and math.isnan(st.breathing_rate_bpm)
    _, br = raw_status_texts(False, True, st.rr_source, st.agreement, st.breathing_rate_bpm, st.share_following,
                             st.last_lag_deg, True, (), raw.stuck_axes)
    assert br == "breathing: the accelerometer reads flat; finding your breath from the heart's rhythm…"


def test_a_moving_accelerometer_still_gives_the_chests_breaths() -> None:
    sess = _run(6.0, True, flat=False)
    st = sess.status
    assert not sess.raw.flat and st.breathing_source == "acc"
    assert st.n_breaths > 10 and abs(st.breathing_rate_bpm - 6.0) < 0.3


@pytest.mark.parametrize("flat", [True, False])
def test_analyze_of_the_recording_claims_no_breaths_from_a_flat_accelerometer(tmp_path, capsys, flat: bool) -> None:
    path = tmp_path / "s.vcs.jsonl"
    rec = Recorder(path, source="test")
    _run(6.0, True, flat=flat, recorder=rec)
    rec.close()
    assert main(["analyze", str(path), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    if flat:  # before: 24 "breaths" at 8.6 /min, the flat signal's glitches every 7 s
        assert got["n_breaths"] == 0 and got["breathing_rate_bpm"] is None and got["breath_share_following"] is None
    else:
        assert got["n_breaths"] >= 15 and abs(got["breathing_rate_bpm"] - 6.0) < 0.3
