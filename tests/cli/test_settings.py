"""A lab's own analysis settings: flags, a settings file, every value echoed, a bad value is one line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import RECORDINGS
from vagal_coach.analysis import AnalysisSettings, analyze
from vagal_coach.cli import main
from vagal_coach.hrv.spectral import frequency_domain
from vagal_coach.io import read_recording

FILE = str(RECORDINGS / "pyhrv-nn-5min.txt")


def run_json(capsys, *args: str) -> dict:
    assert main(["analyze", FILE, "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_every_flag_is_applied_and_echoed(capsys):
    d = run_json(capsys, "--detrend", "linear", "--lambda", "300", "--psd", "welch", "--welch-window", "120",
                 "--resample-hz", "8", "--bands", "lf=0.05-0.15,hf=0.15-0.5", "--range-ms", "650-1200",
                 "--artifacts", "none", "--window", "60")
    s = d["settings"]
    assert s["detrend"] == "linear" and s["detrend_lambda"] == 300.0 and s["psd_method"] == "welch"
    assert s["welch_window_s"] == 120.0 and s["resample_hz"] == 8.0
    assert s["bands_hz"] == {"vlf": [0.0033, 0.04], "lf": [0.05, 0.15], "hf": [0.15, 0.5]}
    assert s["artifact_range_ms"] == [650.0, 1200.0] and s["artifact_method"] == "none" and s["window_s"] == 60.0
    # and applied: the analysis is the shared core's at these settings, on the beats in range
    rec = read_recording(FILE)
    keep = (rec.rr_ms >= 650) & (rec.rr_ms <= 1200)
    assert d["mean_rr_ms"] == pytest.approx(rec.rr_ms[keep].mean(), abs=1e-6)
    assert d["artifacts"]["out_of_range"] == int(np.count_nonzero(~keep))
    ref = frequency_domain(rec.beat_t_s[keep], rec.rr_ms[keep], fs_hz=8.0, detrend="linear", method="welch",
                           window_s=120.0, bands={"vlf": (0.0033, 0.04), "lf": (0.05, 0.15), "hf": (0.15, 0.5)})
    assert d["lf_ms2"] == pytest.approx(ref.lf_ms2, rel=1e-6) and d["hf_ms2"] == pytest.approx(ref.hf_ms2, rel=1e-6)


def test_each_setting_changes_what_it_should(capsys):
    base = run_json(capsys)
    assert base["settings"]["detrend"] == "smoothness_priors" and base["settings"]["psd_method"] == "welch"
    lomb = run_json(capsys, "--psd", "lomb")
    assert lomb["lf_ms2"] != pytest.approx(base["lf_ms2"], rel=1e-3)
    assert lomb["rmssd_ms"] == base["rmssd_ms"]  # a spectral setting leaves the time domain alone
    lam = run_json(capsys, "--lambda", "10")
    assert lam["lf_ms2"] < base["lf_ms2"]  # a tighter trend (small lambda) takes more of the slow bands
    wide = run_json(capsys, "--bands", "lf=0.04-0.2")
    assert wide["lf_ms2"] > base["lf_ms2"]


def test_settings_file_and_flags_over_it(tmp_path, capsys):
    toml = tmp_path / "lab.toml"
    toml.write_text('[analysis]\ndetrend = "none"\nlambda = 100\npsd = "lomb"\nrange_ms = [400, 1800]\n'
                    'welch_window = 200\n[analysis.bands]\nlf = [0.045, 0.15]\n')
    d = run_json(capsys, "--settings", str(toml), "--psd", "welch")
    s = d["settings"]
    assert s["detrend"] == "none" and s["detrend_lambda"] == 100.0 and s["welch_window_s"] == 200.0
    assert s["psd_method"] == "welch"  # the flag wins over the file
    assert s["artifact_range_ms"] == [400.0, 1800.0] and s["bands_hz"]["lf"] == [0.045, 0.15]
    same = AnalysisSettings(detrend="none", detrend_lambda=100.0, welch_window_s=200.0, range_ms=(400.0, 1800.0),
                            bands_hz={"vlf": (0.0033, 0.04), "lf": (0.045, 0.15), "hf": (0.15, 0.4)})
    assert d["lf_ms2"] == pytest.approx(analyze(read_recording(FILE), same).metrics["lf_ms2"], rel=1e-9)


@pytest.mark.parametrize("args,expect", [
    (["--detrend", "spline"], "detrend: 'spline' is not one of smoothness-priors, linear, none"),
    (["--lambda", "-5"], "lambda must be a number from"),
    (["--lambda", "abc"], "lambda:"),
    (["--psd", "ar"], "psd: 'ar' is not one of welch, lomb"),
    (["--welch-window", "5"], "welch-window must be"),
    (["--resample-hz", "0"], "resample-hz must be"),
    (["--bands", "lf=0.2-0.1"], "bands: 0.2-0.1: LO must be below HI"),
    (["--bands", "mf=0.1-0.2"], "unknown band 'mf'"),
    (["--bands", "lf"], "is not NAME=LO-HI"),
    (["--range-ms", "2000-300"], "range-ms: 2000-300: LO must be below HI"),
    (["--range-ms", "300"], "is not LO-HI"),
    (["--resample-hz", "0.5"], "resample-hz must be"),
    (["--bands", "hf=0.15-3"], "half the resampling rate"),
    (["--settings", "/nonexistent/lab.toml"], "no such settings file"),
])
def test_bad_values_are_one_line(capsys, args, expect):
    assert main(["analyze", FILE, "--json", *args]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and expect in err, err


@pytest.mark.parametrize("text,expect", [
    ("detrend = ", "not a valid TOML settings file"),
    ('colour = "blue"', "unknown setting 'colour'"),
    ("lambda = true", "lambda: True is not a number"),
    ('range_ms = "3-2"', "LO must be below HI"),
])
def test_bad_settings_file_is_one_line_naming_it(tmp_path, capsys, text, expect):
    toml = tmp_path / "lab.toml"
    toml.write_text(text + "\n")
    assert main(["analyze", FILE, "--settings", str(toml)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and str(toml) in err and expect in err, err
