"""Resonance-frequency recovery: synthetic recordings and the simulated strap with known personal RFs."""

import json
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import RECORDINGS
from vagal_coach.io import Recording, read_recording
from vagal_coach.resonance import assess
from vagal_coach.session import protocols
from vagal_coach.session.pacer import PacerSchedule
from vagal_coach.synth import Physiology, synthesize


def synthetic(events, rf_bpm, seed):
    sched = PacerSchedule(events)
    dur = protocols.duration_s(events)
    grid = np.arange(0, dur + 2, 1 / 20)
    t, rr = synthesize(dur, sched.rate_at(grid), physiology=Physiology(resonance_bpm=rf_bpm), seed=seed)
    return Recording(rr_ms=rr, beat_t_s=t, pacer=list(events))


@pytest.mark.parametrize("rf", [4.5, 5.0, 5.5, 6.0, 6.5])
def test_stepped_recovers_known_rf(rf):
    res = assess(synthetic(protocols.stepped(), rf, seed=int(rf * 10)))
    assert res.protocol == "stepped" and res.recommended_bpm == pytest.approx(rf, abs=0.25)
    assert 0 < res.confidence <= 1 and len(res.rates) == 5


@pytest.mark.parametrize("rf", [4.6, 5.2, 5.7, 6.3])
def test_sliding_recovers_known_rf(rf):
    res = assess(synthetic(protocols.sliding(), rf, seed=int(rf * 10)))
    assert res.protocol == "sliding" and res.recommended_bpm == pytest.approx(rf, abs=0.25)


def test_protocol_changes_fall_on_breath_boundaries():
    for evs in (protocols.stepped(), protocols.sliding()):
        s = PacerSchedule(evs)
        c = s.cycles_at([e.t_s for e in evs])
        assert np.allclose(c, np.round(c), atol=1e-9)
    assert protocols.duration_s(protocols.sliding()) == pytest.approx(15 * 60, rel=0.1)


def test_says_plainly_when_data_cannot_support_a_choice():
    rec = synthetic(protocols.stepped(minutes=0.4), 5.5, seed=1)  # 2-3 breaths per rate
    res = assess(rec)
    assert res.recommended_bpm is None and "too few" in res.reason


@pytest.mark.parametrize("protocol,rf", [("stepped", 5.0), ("sliding", 6.1)])
def test_simulated_strap_end_to_end(tmp_path, protocol, rf):
    out = tmp_path / f"{protocol}.vcs.jsonl"
    r = subprocess.run([sys.executable, "-m", "vagal_coach", "record", "--simulate", "--speed", "max", "--protocol",
                        protocol, "--sim-resonance", str(rf), "--seed", "4", "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert read_recording(out).kind == f"rf-{protocol}"
    r = subprocess.run([sys.executable, "-m", "vagal_coach", "resonance", str(out), "--json"], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["recommended_bpm"] == pytest.approx(rf, abs=0.25)
    for k in ("recommended_bpm", "confidence", "protocol"):
        assert k in d
    for k in ("rate_bpm", "peak_to_trough_bpm", "lf_ms2", "resonance_power_ms2", "phase_deg", "artifacts_pct"):
        assert k in d["rates"][0]


def test_csv_from_another_pacer():
    res = assess(read_recording(RECORDINGS / "synthetic-stepped-rf-5.5bpm.csv"))
    assert res.recommended_bpm == 5.5
