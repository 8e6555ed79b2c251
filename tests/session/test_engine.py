import asyncio
import json
import math

import numpy as np
import pytest

from vagal_coach.clock import Clock
from vagal_coach.hrv.time_domain import time_domain
from vagal_coach.io import Recording, read_recording
from vagal_coach.model.pacer import PacerSchedule
from vagal_coach.paths import client_folder
from vagal_coach.sensors.replay import ReplaySource
from vagal_coach.sensors.simulated import Faults, SimulatedStrap
from vagal_coach.session.engine import LiveEngine
from vagal_coach.session.parallel import snapshots
from vagal_coach.session.recorder import Recorder
from vagal_coach.session.runner import Session
from vagal_coach.synth import Physiology


def run_sim(tmp_path, duration_s=300.0, rate=6.0, faults=None, seed=3, physiology=None):
    clock = Clock(math.inf)
    sched = PacerSchedule.constant(rate) if rate else None
    src = SimulatedStrap(clock, physiology, schedule=lambda: sched, faults=faults, seed=seed, duration_s=duration_s)
    rec = Recorder(tmp_path / "s.vcs.jsonl", device={"name": src.name, "simulated": True}, source="simulated")
    sess = Session(src, LiveEngine(sched), rec, clock)
    snaps = []
    sess.on_snapshot.append(snaps.append)
    asyncio.run(sess.run())
    return sess, snaps, read_recording(tmp_path / "s.vcs.jsonl")


def test_engine_snapshot_metrics_equal_the_core_on_the_same_window(tmp_path):
    sess, snaps, rec = run_sim(tmp_path)
    assert len(snaps) == rec.n_beats > 250
    last = snaps[-1]
    w = rec.rr_ms[rec.beat_t_s > rec.beat_t_s[-1] - 60]
    assert last.rmssd_ms == pytest.approx(time_domain(w)["rmssd_ms"], rel=1e-6)  # the file keeps 0.001 ms
    assert last.pacer_bpm == 6.0 and last.quality_pct == 100.0 and last.contact == "contact"
    # a 6 breaths/min pacer: the spectrum's peak is at 0.1 Hz, resonance power dominates LF
    assert last.coherence_peak_hz == pytest.approx(0.1, abs=0.01)
    assert last.resonance_ms2 > 0.7 * last.lf_ms2
    assert 4 < last.peak_to_trough_bpm < 40


def test_simulated_strap_resonance_shapes_rsa(tmp_path):
    """RSA is largest when breathing at the simulated person's resonance frequency."""
    p2t = {}
    for rate in (4.5, 5.5, 6.5):
        _, snaps, _ = run_sim(tmp_path / str(rate), duration_s=240, rate=rate,
                              physiology=Physiology(resonance_bpm=5.5))
        p2t[rate] = np.nanmean([s.peak_to_trough_bpm for s in snaps[-60:]])
    assert p2t[5.5] > p2t[4.5] and p2t[5.5] > p2t[6.5]


def test_faults_are_gated_and_spurious_values_rejected(tmp_path):
    faults = Faults(ectopic_per_min=2, missed_per_min=1, spurious_per_min=2, contact_loss=[(100, 110)],
                    dropouts=[(200, 215)])
    sess, snaps, rec = run_sim(tmp_path, duration_s=300, faults=faults)
    rejected = [s for s in snaps if not s.accepted]
    assert rejected and any(s.rr_ms < 300 for s in rejected)  # the spurious short values
    assert not any(s.accepted and s.rr_ms < 300 for s in snaps)
    assert "no_contact" in rec.notifications.contact  # contact loss: notifications without RR
    # two gaps in the beats: the contact loss (100-110 s) and the dropout (200-215 s)
    assert len(rec.gaps) == 2
    assert rec.gaps[0].start_s < 101 and rec.gaps[0].end_s > 108
    assert rec.gaps[1].start_s < 201 and rec.gaps[1].end_s > 213
    assert [s for _, s in rec.links].count("lost") == 1


def test_parallel_snapshots_equal_the_live_engine(tmp_path):
    _, snaps, rec = run_sim(tmp_path, duration_s=200)
    sched = PacerSchedule(rec.pacer) if rec.pacer else PacerSchedule.constant(6.0)
    clock = Clock(math.inf)
    eng = LiveEngine(sched, deferred=True)
    asyncio.run(Session(ReplaySource(rec, clock), eng, None, clock).run())
    par = list(snapshots(eng.log, sched, workers=2, chunk=50))
    live = LiveEngine(sched)
    seq = []
    for t, raw in zip(rec.notifications.t_s, rec.notifications.raw):
        seq += live.push_raw(float(t), raw)[2]
    assert [json.dumps(s.as_dict()) for s in par] == [json.dumps(s.as_dict()) for s in seq]


def test_replay_of_rr_only_recording_goes_through_the_same_pipeline(rr_5min):
    rec = Recording.from_rr(rr_5min)
    clock = Clock(math.inf)
    sess = Session(ReplaySource(rec, clock), LiveEngine(), None, clock)
    got = []
    sess.on_snapshot.append(got.append)
    asyncio.run(sess.run())
    assert len(got) == rr_5min.size
    assert np.allclose([s.rr_ms for s in got], rr_5min, atol=0.5)  # 1/1024 s quantisation
    assert np.allclose([s.t_s for s in got], rec.beat_t_s, atol=0.05)  # beat clock on quantised RR


def test_recorder_never_overwrites_and_uses_0600(tmp_path, monkeypatch):
    monkeypatch.setenv("VAGAL_COACH_HOME", str(tmp_path / "home"))
    r = Recorder(profile="Ana B.")
    # the client's stable folder: a readable part and a hash of the name as typed (never shared by two names)
    assert r.path.parent == tmp_path / "home" / "recordings" / client_folder("Ana B.")
    assert r.path.parent.name.startswith("Ana-B-")
    assert not r.path.exists()  # made when the strap's first data come
    r.pmd(0.5, b"\x00\x01")
    assert (r.path.stat().st_mode & 0o777) == 0o600
    r.close()
    from vagal_coach.errors import UserError

    with pytest.raises(UserError, match="exists"):
        Recorder(r.path)
