"""Resonance-frequency recovery: synthetic recordings and the simulated strap with known personal RFs."""

import json
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import RECORDINGS
from vagal_coach.analysis.assessment import assess
from vagal_coach.io import Recording, read_recording
from vagal_coach.model.pacer import PacerSchedule
from vagal_coach.session import protocols
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


@pytest.mark.parametrize("rf", [4.75, 5.5, 6.25])
def test_fine_tune_recovers_known_rf_among_neighbours(rf):
    # centred a quarter above the true rate: the choices are rf + 0.5, rf + 0.25 and rf
    evs = protocols.fine_tune(rf + 0.25)
    assert [e.rate_bpm for e in evs if e.rate_bpm] == [rf + 0.5, rf + 0.25, rf]
    res = assess(synthetic(evs, rf, seed=int(rf * 100)))
    assert res.protocol == "stepped" and len(res.rates) == 3
    assert res.recommended_bpm == pytest.approx(rf, abs=0.25)


def _pdf_pages(path):
    import re

    return len(re.findall(rb"/Type\s*/Page[^s]", path.read_bytes()))


def test_fine_tune_cli_with_custom_minutes_and_report(tmp_path, monkeypatch):
    monkeypatch.setenv("VAGAL_COACH_HOME", str(tmp_path / "home"))
    out = tmp_path / "ft.vcs.jsonl"
    cmd = [sys.executable, "-m", "vagal_coach", "record", "--simulate", "--speed", "max", "--protocol", "fine-tune",
           "--sim-resonance", "5.5", "--seed", "2", "--out", str(out), "--minutes", "2"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 2 and "no resonance rate yet" in r.stderr  # no profile rate and no --rate
    r = subprocess.run(cmd + ["--rate", "5.75"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    rec = read_recording(out)
    assert rec.kind == "rf-fine-tune"
    assert sorted({e.rate_bpm for e in rec.pacer if e.rate_bpm}) == [5.5, 5.75, 6.0]
    pdf = tmp_path / "rf.pdf"
    r = subprocess.run([sys.executable, "-m", "vagal_coach", "resonance", str(out), "--json", "--report", str(pdf)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["recommended_bpm"] == pytest.approx(5.5, abs=0.25)
    assert pdf.read_bytes()[:5] == b"%PDF-" and _pdf_pages(pdf) == 2
    r = subprocess.run([sys.executable, "-m", "vagal_coach", "resonance", str(out), "--report", str(pdf)],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "exists" in r.stderr  # never overwrites


def test_evidence_table_of_the_report_matches_the_json():
    from vagal_coach.report.resonance_pdf import EVIDENCE_COLUMNS, evidence_rows

    res = assess(read_recording(RECORDINGS / "synthetic-stepped-rf-5.5bpm.csv"))
    rows = evidence_rows(res)
    assert len(rows) == len(res.rates) == 5
    cols = [c[1] for c in EVIDENCE_COLUMNS]
    for row, r in zip(rows, res.as_dict()["rates"]):
        assert float(row[cols.index("rate_bpm")]) == pytest.approx(r["rate_bpm"])
        assert float(row[cols.index("peak_to_trough_bpm")]) == pytest.approx(r["peak_to_trough_bpm"], abs=0.05)
        assert float(row[cols.index("resonance_power_ms2")]) == pytest.approx(r["resonance_power_ms2"], abs=0.5)
        assert int(row[cols.index("wins")]) == r["wins"]


def test_custom_stepped_rates_are_checked(tmp_path):
    r = subprocess.run([sys.executable, "-m", "vagal_coach", "record", "--simulate", "--speed", "max", "--protocol",
                        "stepped", "--rates", "6,11", "--out", str(tmp_path / "x.vcs.jsonl")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "3-10" in r.stderr
