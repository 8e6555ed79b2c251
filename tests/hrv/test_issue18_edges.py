"""Issue 18, "What was seen", the edges of real data: each bullet held by a regression test.

- a missed (or extra) beat in the first or last interval is found like anywhere else;
- a flat series gives null ratios, normalised units and coherence, never numbers made of rounding noise;
- a standard 5-minute sample (R-R sum a little under 300 s) gets VLF and total power;
- the mean RR of any input lies within the accepted range ([1327, 280, 95, 2000, 299] gave 2000.5 ms);
- headers name the columns (``rri,time`` was read as time,RR); a 0/NaN/inf line is one rejected beat
  (tests/io/test_edges.py).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import RECORDINGS
from vagal_coach.analysis import AnalysisSettings, analyze, to_json_dict
from vagal_coach.hrv.artifacts import correct_artifacts
from vagal_coach.hrv.time_domain import time_domain
from vagal_coach.io import read_recording
from vagal_coach.model import Recording

FILES = ("pyhrv-nn-5min.txt", "pyhrv-nn-1h.txt")


def _rmssd(rr: np.ndarray) -> float:
    return time_domain(rr)["rmssd_ms"]


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("where", [0, 1, -2, -1])
def test_missed_beat_at_either_end_is_found(name, where):
    rr = np.loadtxt(RECORDINGS / name)
    clean = correct_artifacts(rr)
    x = rr.copy()
    x[where] *= 2.0  # two intervals merged: a missed beat
    got = correct_artifacts(x)
    assert got.counts["missed"] == clean.counts["missed"] + 1
    assert got.labels[where] == 1 + 2  # KINDS.index("missed")
    # uncorrected it raises RMSSD by 8-42 %; corrected, the series is the clean one's within 0.2 %
    assert _rmssd(got.rr_ms) == pytest.approx(_rmssd(clean.rr_ms), rel=2e-3)
    assert got.rr_ms.size == clean.rr_ms.size + 1


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("end", ["first", "last"])
def test_extra_beat_at_either_end_is_found(name, end):
    rr = np.loadtxt(RECORDINGS / name)
    clean = correct_artifacts(rr)
    if end == "first":
        x = np.concatenate(([0.35 * rr[0], 0.65 * rr[0]], rr[1:]))
    else:
        x = np.concatenate((rr[:-1], [0.6 * rr[-1], 0.4 * rr[-1]]))
    got = correct_artifacts(x)
    assert got.counts["extra"] == clean.counts["extra"] + 1
    assert _rmssd(got.rr_ms) == pytest.approx(_rmssd(clean.rr_ms), rel=2e-3)


@pytest.mark.parametrize("rr_ms", [800.0, 781.25, 1000.0])
def test_flat_series_gives_null_ratios_and_coherence(rr_ms):
    d = to_json_dict(analyze(Recording.from_rr(np.full(600, rr_ms))))
    json.dumps(d, allow_nan=False)
    for k in ("lf_hf", "lf_nu", "hf_nu", "coherence", "coherence_peak_hz", "sd1_sd2", "sd2_sd1"):
        assert d.get(k) is None, k  # was LF/HF 7605.78, LF n.u. 99.99, coherence 0.00048
    assert d["lf_ms2"] == 0.0 and d["hf_ms2"] == 0.0 and d["vlf_ms2"] == 0.0
    assert d["sdnn_ms"] == 0.0 and d["rmssd_ms"] == 0.0


def test_one_ms_step_is_not_flat():
    """The floor is far below any real variation: a 1 ms step still has its ratios."""
    d = to_json_dict(analyze(Recording.from_rr(np.r_[np.full(300, 800.0), np.full(300, 801.0)])))
    assert d["lf_hf"] is not None and d["coherence"] is not None and d["lf_ms2"] > 0


@pytest.mark.parametrize("start_s", [0.0, 600.0, 1800.0])
def test_five_minute_sample_gets_vlf_and_total_power(start_s):
    """The beats of a 5-minute window (as Kubios's 00:00-05:00 sample) sum to a little under 300 s."""
    rr = np.loadtxt(RECORDINGS / "pyhrv-nn-1h.txt")
    t = np.cumsum(rr) / 1000.0
    seg = rr[(t - rr / 1000.0 >= start_s) & (t <= start_s + 300.0)]
    assert 298.0 < seg.sum() / 1000.0 < 300.0
    d = to_json_dict(analyze(Recording.from_rr(seg), AnalysisSettings(artifacts="none")))
    assert d["vlf_ms2"] is not None and d["vlf_ms2"] > 0
    assert d["total_ms2"] == pytest.approx(d["vlf_ms2"] + d["lf_ms2"] + d["hf_ms2"], rel=1e-9)
    # a clearly shorter series still gets none
    short = to_json_dict(analyze(Recording.from_rr(seg[: int(seg.size * 0.9)]), AnalysisSettings(artifacts="none")))
    assert short["vlf_ms2"] is None and short["total_ms2"] is None


@pytest.mark.parametrize("values", [[1327, 280, 95, 2000, 299], [1999, 150, 150, 1999, 1999], [301, 299, 1, 301]])
@pytest.mark.parametrize("artifacts", ["auto", "none"])
def test_mean_rr_and_hr_never_outside_the_range(values, artifacts):
    d = to_json_dict(analyze(Recording.from_rr(np.array(values, float)), AnalysisSettings(artifacts=artifacts)))
    assert 300.0 <= d["mean_rr_ms"] <= 2000.0  # was 2000.5 ms
    assert 30.0 <= d["mean_hr_bpm"] <= 200.0


RR = [812.0, 790.0, 805.0, 830.0, 801.0]


@pytest.mark.parametrize("sep", [",", ";", "\t"])
@pytest.mark.parametrize("head,row", [
    ("rri{s}time", "{r}{s}{t}"),
    ("time{s}rr", "{t}{s}{r}"),
    ("rr_ms{s}time_s", "{r}{s}{t}"),
    ("ibi{s}time_ms", "{r}{s}{tms}"),
    ("nn", "{r}"),
    ("index{s}rr", "{i}{s}{r}"),  # systole's rr.txt: an unnamed index column first
    ("time [s]{s}hr{s}IBI", "{t}{s}70{s}{r}"),
    ("RR [s]{s}time", "{rs}{s}{t}"),
])
def test_columns_read_by_header_name(tmp_path, sep, head, row):
    t = np.cumsum(RR) / 1000.0 + 12.0
    body = "\n".join(row.format(s=sep, r=r, rs=r / 1000.0, t=f"{x:.3f}", tms=f"{1000 * x:.0f}", i=i)
                     for i, (r, x) in enumerate(zip(RR, t)))
    p = tmp_path / "named.txt"
    p.write_text(head.format(s=sep) + "\n" + body + "\n")
    rec = read_recording(p)
    np.testing.assert_allclose(rec.rr_ms, RR)
    np.testing.assert_allclose(np.diff(rec.beat_t_s), np.array(RR[1:]) / 1000.0, atol=1e-3)
    d = to_json_dict(analyze(rec))
    assert d["mean_hr_bpm"] == pytest.approx(60000.0 / np.mean(RR), rel=1e-6)  # was 35 bpm for rri,time
