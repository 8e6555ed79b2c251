"""One session summary: practice time and time at the target count practice only (a pause never counts);
the summary written at the end of a recording is what the history and the CLI read back."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vagal_coach.io.model import Marker
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


def test_markers_counted_are_the_ones_someone_set():
    from vagal_coach.session.summary import user_markers

    marks = [Marker(1.0, "phase: settle"), Marker(2.0, "pause"), Marker(3.0, "resume"), Marker(4.0, "marker"),
             Marker(5.0, "client yawned", "a note")]
    assert user_markers(marks) == 2
