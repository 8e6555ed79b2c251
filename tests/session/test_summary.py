"""One session summary: practice time and time at the target count practice only (a pause never counts);
the summary written at the end of a recording is what the history and the CLI read back."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vagal_coach.model import Marker
from vagal_coach.session.summary import Summary, pause_intervals, summarize, summary_lines


def _session(t_end=480.0, dt=1.0, coherence=None):
    t = np.arange(dt, t_end + 1e-9, dt)
    n = t.size
    coh = np.full(n, 3.0) if coherence is None else coherence(t)
    return dict(t_s=t, rr_ms=np.full(n, 1000.0), accepted=np.ones(n, bool), hr_bpm=np.full(n, 60.0),
                rmssd_ms=40.0 + 0 * t, coherence=coh, resonance_ms2=np.full(n, 2000.0),
                peak_to_trough_bpm=np.full(n, 10.0))


def test_a_pause_never_counts_as_time_at_the_target():
    # 60 s at the target, 5 min paused (no snapshots kept while paused), 60 s at the target: 120 s
    arr = _session(420.0)
    keep = (arr["t_s"] <= 60.0) | (arr["t_s"] > 360.0)
    arr = {k: v[keep] for k, v in arr.items()}
    markers = [Marker(60.0, "pause"), Marker(360.0, "resume")]
    s = summarize(**arr, baseline_s=0.0, end_s=420.0, target_coherence=1.0, pauses=pause_intervals(markers, 420.0))
    assert s.time_at_target_s == pytest.approx(119.0)  # the first snapshot at 1 s starts the count
    assert s.duration_s == pytest.approx(120.0) and s.elapsed_s == 420.0 and s.paused_s == 300.0
    # snapshots that did come during the pause (a window that kept them) do not count either
    full = _session(420.0)
    s2 = summarize(**full, baseline_s=0.0, end_s=420.0, target_coherence=1.0,
                   pauses=pause_intervals(markers, 420.0))
    assert s2.time_at_target_s == pytest.approx(119.0)


def test_a_pause_still_on_at_the_end_lasts_to_the_end():
    assert pause_intervals([Marker(100.0, "pause")], 250.0) == [(100.0, 250.0)]
    assert pause_intervals([Marker(5.0, "resume"), Marker(10.0, "pause"), Marker(20.0, "resume")], 30.0) == [
        (10.0, 20.0)]


def test_baseline_and_practice_figures():
    arr = _session(300.0)
    arr["rmssd_ms"] = np.where(arr["t_s"] < 60.0, 30.0, 50.0)
    arr["coherence"] = np.where(arr["t_s"] < 150.0, 0.5, 2.0)
    s = summarize(**arr, baseline_s=60.0, end_s=300.0, target_coherence=1.0, n_markers=2)
    assert s.baseline_rmssd_ms == 30.0 and s.practice_rmssd_ms == 50.0
    assert s.practice_ln_rmssd == pytest.approx(math.log(50.0))
    assert s.time_at_target_s == pytest.approx(151.0)  # each interval ending at a snapshot at the target
    assert s.mean_coherence == pytest.approx((90 * 0.5 + 151 * 2.0) / 241)  # snapshots at 60..300 s
    assert s.tiles()["rmssd"] == 50.0 and s.tiles()["resonance"] == 2000.0
    back = Summary.from_dict(s.as_dict())
    assert back == s or all((a == b) or (a != a and b != b) for a, b in zip(back.as_dict().values(),
                                                                             s.as_dict().values()))
    lines = summary_lines(s)
    assert lines[0] == "Practice time 5:00" and "practice 50 ms" in lines[1] and "2000 ms²" in lines[2]


def _rsa_beats(n=400, seed=5):
    """R-R with breathing at 6/min (+/-90 ms) and a little noise: every beat passes the live gate and the
    offline correction alike, so the session and ``analyze`` see the same beats. On the strap's 1/1024 s
    grid, as a replay sends them."""
    rng = np.random.default_rng(seed)
    t = np.cumsum(np.full(n, 0.9))
    rr = 900.0 + 90.0 * np.sin(2 * np.pi * 0.1 * t) + rng.normal(0.0, 4.0, n)
    return np.round(rr * 1.024) / 1.024


def test_mean_hr_is_the_analysis_figure_for_the_same_beats(tmp_path, capsys):
    """The summary's mean HR (tiles at Stop, dialog, history) is ``analyze``'s: 60000 / mean RR (Kubios),
    through the same function, not the mean of the beats' rates (66.7 vs 67.0 bpm here)."""
    import json

    from vagal_coach.analysis import AnalysisSettings, analyze
    from vagal_coach.cli import main
    from vagal_coach.io import write_recording
    from vagal_coach.model import Recording

    rr = _rsa_beats()
    rec = Recording.from_rr(rr)
    a = analyze(rec)
    assert not a.corrected.any() and a.rr_ms.size == rr.size  # the same beats on both sides
    t = rec.beat_t_s
    n = rr.size
    s = summarize(t, rr, np.ones(n, bool), 60000.0 / rr, np.full(n, 40.0), np.full(n, 1.0), np.full(n, 1.0),
                  np.full(n, 1.0), baseline_s=0.0, end_s=float(t[-1]), target_coherence=1.0)
    assert s.mean_hr_bpm == pytest.approx(a.metrics["mean_hr_bpm"], rel=1e-12)
    assert s.mean_hr_bpm == pytest.approx(60000.0 / rr.mean(), rel=1e-12)
    assert abs(s.mean_hr_bpm - float(np.mean(60000.0 / rr))) > 0.3  # the other convention is visibly apart
    assert s.tiles()["hr"] == s.mean_hr_bpm
    # a lab that picks the beats' convention for analyze gets the other figure, named in its settings
    b = analyze(rec, AnalysisSettings(mean_hr="beats"))
    assert b.metrics["mean_hr_bpm"] == pytest.approx(float(np.mean(60000.0 / rr)), rel=1e-12)

    # end to end: a session replayed from the file (every beat through the live engine) and analyze
    p = tmp_path / "rsa.vcs.jsonl"
    write_recording(rec, p)
    assert main(["replay", str(p), "--headless", "--speed", "max", "--summary-json", "-"]) == 0
    replayed = json.loads(capsys.readouterr().out)
    assert replayed["artifacts_pct"] == 0.0
    assert main(["analyze", str(p), "--json"]) == 0
    analysed = json.loads(capsys.readouterr().out)
    # the file keeps R-R to 0.001 ms: the two agree to 1e-4 bpm (the conventions are 0.34 bpm apart)
    assert replayed["mean_hr_bpm"] == pytest.approx(analysed["mean_hr_bpm"], abs=1e-4)


def test_mean_hr_leaves_out_paused_baseline_and_rejected_beats():
    rr = _rsa_beats(300)
    t = np.cumsum(rr) / 1000.0
    n = rr.size
    acc = np.ones(n, bool)
    acc[::17] = False
    rr_bad = np.where(acc, rr, 3000.0)  # a rejected beat's interval never enters the mean
    pauses = [(60.0, 90.0)]
    s = summarize(t, rr_bad, acc, 60000.0 / rr_bad, np.full(n, 40.0), np.full(n, 1.0), np.full(n, 1.0),
                  np.full(n, 1.0), baseline_s=30.0, end_s=float(t[-1]), target_coherence=1.0, pauses=pauses)
    keep = acc & (t >= 30.0) & ~((t >= 60.0) & (t < 90.0))
    assert s.mean_hr_bpm == pytest.approx(60000.0 / rr[keep].mean(), rel=1e-12)


def test_markers_counted_are_the_ones_someone_set():
    from vagal_coach.session.summary import user_markers

    marks = [Marker(1.0, "phase: settle"), Marker(2.0, "pause"), Marker(3.0, "resume"), Marker(4.0, "marker"),
             Marker(5.0, "client yawned", "a note")]
    assert user_markers(marks) == 2
