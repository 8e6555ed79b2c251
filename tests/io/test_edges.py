"""Inputs at the edges: every reader and ``analyze`` on arbitrary float text.

Either a self-consistent result or one line naming the file: never a warning, a traceback, or a metric
made up from beats that were rejected (the suite runs with RuntimeWarnings as errors).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from vagal_coach import synth
from vagal_coach.analysis import AnalysisSettings, analyze, to_json_dict
from vagal_coach.errors import UserError
from vagal_coach.io import read_recording

FLOATS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=250.0, max_value=2100.0),  # mostly plausible, so analyses run too
    st.floats(min_value=0.25, max_value=2.1),  # seconds
    st.sampled_from([1e308, -1e308, 5e-324, 0.0, -0.0, 5000.0, 299.999, 2000.0, 300.0, 1e-300]),
)


def _fmt(v: float) -> str:
    return repr(v) if math.isfinite(v) else str(v)  # 'inf', 'nan'


def render(kind: str, values: list[float]) -> str:
    if kind == "rr-text":
        return "\n".join(_fmt(v) for v in values) + "\n"
    if kind == "time-rr":
        t = np.cumsum(np.clip(np.abs(np.nan_to_num(values, nan=1.0, posinf=1.0, neginf=1.0)), 1e-3, 1e4)) / 1000.0
        return "\n".join(f"{_fmt(float(x))}\t{_fmt(v)}" for x, v in zip(t, values)) + "\n"
    if kind == "polar":
        rows = [f"2026-04-24T14:10:{i % 60:02d}.{i % 1000:03d};{_fmt(v)}" for i, v in enumerate(values)]
        return "Phone timestamp;RR-interval [ms]\n" + "\n".join(rows) + "\n"
    if kind == "hrv-logger":
        rows = [f"2026-04-24 14:10:{i % 60:02d},{_fmt(v)},{i}" for i, v in enumerate(values)]
        return "date,rr,since start\n" + "\n".join(rows) + "\n"
    if kind == "csv":
        t = np.arange(1, len(values) + 1) * 0.8
        return "time_s,rr_ms,pacer_bpm\n" + "\n".join(f"{x:.3f},{_fmt(v)},6" for x, v in zip(t, values)) + "\n"
    if kind == "native":  # JSON lines as another program might write them (Infinity and NaN included)
        import json as _json

        t = np.cumsum(np.clip(np.abs(np.nan_to_num(values, nan=1.0, posinf=1.0, neginf=1.0)), 1e-3, 1e4)) / 1000.0
        head = _json.dumps({"type": "header", "format": "vagal-coach-session", "format_version": 1})
        return head + "\n" + _json.dumps({"type": "beats", "t": t.tolist(), "rr": list(values)}) + "\n"
    if kind == "ecg-csv":  # the values as ECG samples (uV) at 130 Hz, behind a real heart's minute of ECG
        return "time_s,ecg_uv\n" + "\n".join(f"{i / 130:.6f},{_fmt(v)}" for i, v in enumerate(ECG_UV + values))
    if kind == "polar-ecg":
        rows = [f"2026-04-24T14:10:00.000;{599618436152960000 + i * 7692308};{i * 7.692:.1f};{_fmt(v)}"
                for i, v in enumerate(values + ECG_UV)]
        return "Phone timestamp;sensor timestamp [ns];timestamp [ms];ecg [uV]\n" + "\n".join(rows) + "\n"
    raise AssertionError(kind)


KINDS = ("rr-text", "time-rr", "polar", "hrv-logger", "csv", "native", "ecg-csv", "polar-ecg")
ECG_UV = [round(float(v)) for v in synth.ecg_uv(np.arange(0.7, 20.0, 0.85), 130.0, 20.0)[1]]


def check_result(d: dict, n_lines: int) -> None:
    """What any analysis result must satisfy, whatever went in."""
    json.dumps(d, allow_nan=False)  # strict JSON: no NaN, no inf
    lo, hi = d["settings"]["artifact_range_ms"]
    assert 1 <= d["n_accepted"] <= d["n_beats"] <= n_lines
    if d["mean_rr_ms"] is not None:
        assert lo <= d["mean_rr_ms"] <= hi  # only accepted (or corrected) beats enter
        assert 60000.0 / hi <= d["mean_hr_bpm"] <= 60000.0 / lo
    else:  # no metric without beats
        assert all(d[k] is None for k in ("mean_hr_bpm", "rmssd_ms", "sdnn_ms", "sd1_ms"))
    for k in ("sdnn_ms", "rmssd_ms", "sdsd_ms", "sd1_ms", "sd2_ms", "vlf_ms2", "lf_ms2", "hf_ms2", "total_ms2",
              "ar_vlf_ms2", "ar_lf_ms2", "ar_hf_ms2", "ar_total_ms2", "std_hr_bpm", "tinn_ms", "nn50", "nn20",
              "apen", "sdann_ms", "sdnn_index_ms"):
        assert d[k] is None or d[k] >= 0.0, k
    for k in ("pnn50_pct", "pnn20_pct", "artifacts_pct", "lf_nu", "hf_nu", "vlf_pct", "lf_pct", "hf_pct",
              "ar_lf_nu", "ar_hf_nu", "ar_vlf_pct", "ar_lf_pct", "ar_hf_pct"):
        assert d[k] is None or 0.0 <= d[k] <= 100.0 + 1e-9, k
    for k in ("min_hr_bpm", "max_hr_bpm"):  # averages of accepted (or corrected) beats
        assert d[k] is None or 60000.0 / hi - 1e-9 <= d[k] <= 60000.0 / lo + 1e-9, k
    for k in ("rr_tri_index", "stress_index"):
        assert d[k] is None or d[k] > 0.0, k
    assert d["sd2_sd1"] is None or d["sd2_sd1"] >= 0.0  # 0 when SD2 is ([301, 300, 301])
    if d["rmssd_ms"] is not None:
        assert d["rmssd_ms"] <= hi - lo  # successive differences of in-range beats
    assert 0.0 <= d["duration_s"] < 1e12


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(kind=st.sampled_from(KINDS), values=st.lists(FLOATS, min_size=0, max_size=400),
       artifacts=st.sampled_from(["auto", "none"]))
@example(kind="rr-text", values=[1327.0, 280.0, 95.0, 2000.0, 299.0], artifacts="auto")  # issue 18: 2000.5 ms
@example(kind="rr-text", values=[800.0, 0.0, float("nan"), float("inf"), 790.0, 810.0], artifacts="auto")
def test_every_reader_and_analyze_on_arbitrary_floats(tmp_path, kind, values, artifacts):
    p = tmp_path / f"x-{kind}.txt"
    p.write_text(render(kind, values))
    try:
        rec = read_recording(p)
    except UserError as e:
        assert str(p) in str(e) and "\n" not in str(e)
        return
    assert rec.rr_ms.size == rec.beat_t_s.size
    try:
        a = analyze(rec, AnalysisSettings(artifacts=artifacts))
    except UserError as e:
        assert str(p) in str(e) and "no beats within 300-2000 ms" in str(e)
        return
    check_result(to_json_dict(a), len(values) + (len(ECG_UV) if kind.startswith(("ecg", "polar-ecg")) else 0))


@pytest.mark.parametrize("name,text,expect", [
    ("huge.txt", "1e308\n" * 50, "no beats within 300-2000 ms"),
    ("long.txt", "5000\n5000\n5000\n", "no beats within 300-2000 ms"),
    ("zeros.txt", "0\nnan\ninf\n-800\n", "no beats within 300-2000 ms"),
    ("tiny.txt", "5e-324\n" * 20, "no beats within 300-2000 ms"),
    ("empty.txt", "", "empty file"),
    ("header.txt", "rr\n", "unknown format"),
])
def test_cli_edge_files_one_line_exit_2(tmp_path, name, text, expect, run_cli):
    p = tmp_path / name
    p.write_text(text)
    r = run_cli("analyze", str(p), "--json")
    assert r.returncode == 2 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and str(p) in lines[0] and expect in lines[0], r.stderr


@pytest.mark.parametrize("text,n_ok", [
    ("800\n5000\n810\n", 2),                 # one out-of-range beat among good ones
    ("800\n" + "1e308\n" * 5 + "790\n", 2),  # a corrupt run inside a recording
    ("812\n", 1),                            # a single beat: mean only
    ("812\n812\n", 2),
    ("800\n-800\n790\n", 2),             # issue 18: a 0, negative, NaN or inf line is one rejected beat,
    ("800\ninf\n790\n", 2),              # counted, not a rejected file
    ("800\nnan\n790\n", 2),
    ("800\n0\n790\n", 2),
])
def test_cli_few_accepted_beats_metrics_null_not_zero(tmp_path, text, n_ok, run_cli):
    p = tmp_path / "few.txt"
    p.write_text(text)
    r = run_cli("analyze", str(p), "--json")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    d = json.loads(r.stdout)
    check_result(d, len(text.split()))
    assert d["n_accepted"] == n_ok
    assert 790 <= d["mean_rr_ms"] <= 812
    assert d["artifacts"]["out_of_range"] == len(text.split()) - n_ok  # the rejected beats are counted
    if n_ok < 2:
        assert d["rmssd_ms"] is None and d["sdnn_ms"] is None and d["sd1_ms"] is None
    assert d["lf_ms2"] is None and d["hf_ms2"] is None and d["dfa_alpha1"] is None  # far too short for these
    assert d["coherence"] is None and d["lf_hf"] is None


def test_very_long_file(tmp_path, run_cli):
    """200 000 beats (about two days at 70 bpm) with corrupt values sprinkled in: read and analysed."""
    rng = np.random.default_rng(7)
    rr = rng.normal(850, 40, 200_000)
    rr[rng.integers(0, rr.size, 200)] = 1e308
    p = tmp_path / "long.txt"
    p.write_text("\n".join(f"{x:.1f}" if x < 1e300 else "1e308" for x in rr))
    r = run_cli("analyze", str(p), "--json")
    assert r.returncode == 0 and r.stderr == "", r.stderr[-500:]
    d = json.loads(r.stdout)
    check_result(d, rr.size)
    assert d["artifacts"]["out_of_range"] >= 190
    assert abs(d["mean_rr_ms"] - 850) < 2
