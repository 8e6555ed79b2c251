"""ECG recordings read offline: Polar Sensor Logger's ECG export and a time_s,ecg_uv CSV, with beats found
by our own R-peak detector, checked against the synthetic heart's known beat times."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from vagal_coach import synth
from vagal_coach.cli import main
from vagal_coach.hrv import time_domain
from vagal_coach.hrv.ecg import match_beats
from vagal_coach.io import FORMATS, read_recording

NS0 = 599_618_436_152_960_000  # a sensor clock reading (ns since 2000-01-01), beyond float64's integers


def heart(duration_s: float = 240.0, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    beat_t, _ = synth.synthesize(duration_s, 6.0, seed=seed)
    t, uv = synth.ecg_uv(beat_t, 130.0, duration_s + 1.0, seed=seed)
    return beat_t, t, uv


def write_polar(path: Path, t: np.ndarray, uv: np.ndarray) -> None:
    ns = NS0 + np.round(t * 1e9).astype(np.int64)
    rows = [f"2022-03-14T10:21:33.{int(ti * 1000) % 1000:03d};{n};{ti * 1000:.1f};{int(round(v))}"
            for ti, n, v in zip(t, ns, uv, strict=True)]
    path.write_text("Phone timestamp;sensor timestamp [ns];timestamp [ms];ecg [uV]\n" + "\n".join(rows) + "\n")


def write_csv(path: Path, t: np.ndarray, uv: np.ndarray) -> None:
    path.write_text("time_s,ecg_uv\n" + "\n".join(f"{a:.6f},{b:.1f}" for a, b in zip(t, uv, strict=True)))


def test_a_polar_ecg_export_gives_the_hearts_beats_and_rr(tmp_path: Path, capsys) -> None:
    beat_t, t, uv = heart()
    f = tmp_path / "Polar_H10_ECG.txt"
    write_polar(f, t, uv)
    rec = read_recording(f)
    assert rec.format == "polar-ecg" and rec.rr_source == "ecg" and rec.ecg is not None
    assert rec.ecg.fs_hz == pytest.approx(130.0, rel=1e-6)
    i, j = match_beats(beat_t, rec.beat_t_s)
    assert j.size == rec.n_beats and i.size >= beat_t.size - 3  # the first beats: learning, and unknown RR
    # each interval found is the true one within 2 ms
    true_rr = np.diff(beat_t)[i[1:] - 1][np.diff(i) == 1] * 1000
    got_rr = rec.rr_ms[j[1:]][np.diff(i) == 1]
    assert np.abs(got_rr - true_rr).max() < 2.0
    assert main(["analyze", str(f), "--json", "--artifacts", "none"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["rr_source"] == "ecg" and d["ecg_share_regular"] == 1.0
    truth = time_domain(np.diff(beat_t) * 1000)["rmssd_ms"]
    assert d["rmssd_ms"] == pytest.approx(truth, rel=0.02)


def test_a_csv_ecg_with_missing_samples_is_cut_there_and_no_interval_spans_the_cut(tmp_path: Path) -> None:
    beat_t, t, uv = heart(180.0, seed=2)
    keep = (t < 60.0) | (t > 63.0)  # three seconds lost
    f = tmp_path / "ecg.csv"
    write_csv(f, t[keep], uv[keep])
    rec = read_recording(f)
    assert rec.format == "ecg-csv" and len(rec.gaps) == 1
    assert rec.gaps[0].start_s == pytest.approx(60.0, abs=0.01) and rec.gaps[0].end_s == pytest.approx(63.0,
                                                                                                        abs=0.01)
    assert np.all((rec.beat_t_s < 60.0) | (rec.beat_t_s > 63.0))
    assert rec.rr_ms.max() < 1.5 * np.diff(beat_t).max() * 1000  # nothing across the cut
    assert np.all(np.isfinite(rec.rr_ms))


def test_ecg_formats_are_listed_and_export_writes_the_beats(tmp_path: Path, capsys) -> None:
    assert "polar-ecg" in FORMATS and "ecg-csv" in FORMATS
    beat_t, t, uv = heart(120.0, seed=3)
    f = tmp_path / "ecg.csv"
    write_csv(f, t, uv)
    out = tmp_path / "beats.txt"
    assert main(["export", str(f), str(out)]) == 0
    rr = np.loadtxt(out)
    assert rr.size == read_recording(f).n_beats and 700 < np.median(rr) < 1200


@pytest.mark.parametrize("content, message", [
    ("time_s,ecg_uv\n" + "\n".join(f"{k / 25:.3f},0" for k in range(500)), "too low for R-peaks"),
    ("time_s,ecg_uv\n0.0,1\n0.0077,x\n", "bad.csv:3: 'x' is not a number"),
    ("time_s,ecg_uv\n" + "\n".join(f"{k / 130:.5f},0" for k in range(3000)), "no R-peaks found"),
    ("time_s,ecg_uv\n", "no samples"),
])
def test_a_bad_ecg_file_is_one_line_naming_it(tmp_path: Path, capsys, content: str, message: str) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(content)
    assert main(["analyze", str(f)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "bad.csv" in err and message in err
