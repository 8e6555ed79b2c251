import json

import numpy as np
import pytest

from tests.conftest import RECORDINGS
from vagal_coach.cli import main

KEYS = ("file n_beats duration_s mean_rr_ms mean_hr_bpm sdnn_ms rmssd_ms ln_rmssd pnn50_pct vlf_ms2 lf_ms2 "
        "hf_ms2 lf_hf lf_peak_hz hf_peak_hz sd1_ms sd2_ms dfa_alpha1 artifacts_pct artifacts settings").split()


def test_analyze_json_has_every_key(capsys):
    assert main(["analyze", str(RECORDINGS / "pyhrv-nn-1h.txt"), "--json", "--artifacts", "none"]) == 0
    d = json.loads(capsys.readouterr().out)
    for k in KEYS:
        assert k in d, k
    assert d["rmssd_ms"] == pytest.approx(60.523, abs=1e-3)
    assert d["artifacts_pct"] == 0
    assert d["settings"]["resample_hz"] == 4.0 and d["settings"]["detrend_lambda"] == 500.0


def test_analyze_auto_corrects_and_counts(capsys):
    assert main(["analyze", str(RECORDINGS / "pyhrv-nn-1h.txt"), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["artifacts"]["ectopic"] > 0 and d["artifacts_pct"] > 0
    assert sum(d["artifacts"].values()) == pytest.approx(d["artifacts_pct"] * d["n_beats"] / 100, abs=0.5)


def test_analyze_table_window_csv_report(tmp_path, capsys):
    csv_out, pdf = tmp_path / "s.csv", tmp_path / "r.pdf"
    files = [str(RECORDINGS / "pyhrv-nn-5min.txt"), str(RECORDINGS / "pyhrv-nn-1h.txt")]
    assert main(["analyze", *files, "--window", "300", "--csv", str(csv_out), "--report", str(pdf)]) == 0
    out = capsys.readouterr().out
    assert "RMSSD" in out and "Trend over 300 s" in out
    rows = csv_out.read_text().splitlines()
    assert len(rows) == 3 and rows[0].startswith("file,format,n_beats")
    pdfs = sorted(tmp_path.glob("r-*.pdf"))
    assert len(pdfs) == 2 and all(p.read_bytes()[:5] == b"%PDF-" for p in pdfs)


def test_many_files_use_a_process_pool(tmp_path, rr_5min, capsys):
    paths = []
    for i in range(4):
        p = tmp_path / f"f{i}.txt"
        np.savetxt(p, rr_5min * (1 + 0.01 * i), fmt="%.2f")
        paths.append(str(p))
    assert main(["analyze", *paths, "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [json.loads(x)["file"] for x in lines] == paths


def test_bad_file_one_line_exit_2(tmp_path, run_cli):
    bad = tmp_path / "bad.txt"
    bad.write_text("800\nabc\n")
    r = run_cli("analyze", bad)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and f"{bad}:2" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("analyze", tmp_path / "missing.txt")
    assert r.returncode == 2 and "no such file" in r.stderr


def test_export_picks_format_from_suffix(tmp_path):
    out = tmp_path / "x.edf"
    assert main(["export", str(RECORDINGS / "pyhrv-nn-5min.txt"), str(out)]) == 0
    assert out.read_bytes()[:8] == b"0       "
    assert main(["export", str(RECORDINGS / "pyhrv-nn-5min.txt"), str(out)]) == 2  # never overwrites
