"""One analysis for one file and many: the same figures wherever they are shown (issue 18)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from tests.conftest import RECORDINGS
from vagal_coach.cli import main

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

ONE_H = RECORDINGS / "pyhrv-nn-1h.txt"
FIVE_MIN = RECORDINGS / "pyhrv-nn-5min.txt"


def _blocks(text: str) -> dict[str, str]:
    """The printed summary of each file, by its file name."""
    out: dict[str, str] = {}
    for block in text.strip().split("\n" + str(RECORDINGS)):
        block = block if block.startswith(str(RECORDINGS)) else str(RECORDINGS) + block
        out[block.split()[0]] = block
    return out


def test_one_file_and_many_print_the_same_for_the_same_file(capsys):
    assert main(["analyze", str(ONE_H), "--window", "600"]) == 0
    alone = capsys.readouterr().out
    assert main(["analyze", str(FIVE_MIN), str(ONE_H), "--window", "600", "--workers", "2"]) == 0
    many = _blocks(capsys.readouterr().out)
    assert many[str(ONE_H)] == alone.strip()
    assert "ectopic 11" in alone and "long_short" in alone  # the artifact kinds, in both
    assert "Trend over 600 s windows" in many[str(ONE_H)]  # and the trend
    # JSON: the same object
    assert main(["analyze", str(ONE_H), "--json", "--window", "600"]) == 0
    j1 = json.loads(capsys.readouterr().out)
    assert main(["analyze", str(FIVE_MIN), str(ONE_H), "--json", "--window", "600", "--workers", "2"]) == 0
    jn = {d["file"]: d for d in map(json.loads, capsys.readouterr().out.strip().splitlines())}
    assert jn[str(ONE_H)] == j1


def test_artifacts_pct_is_the_single_file_figure_in_every_table(tmp_path, capsys):
    import vagal_coach

    assert main(["analyze", str(ONE_H), "--json"]) == 0
    one = json.loads(capsys.readouterr().out)
    assert one["artifacts_pct"] == pytest.approx(0.7259, abs=1e-4)
    study = tmp_path / "s"
    study.mkdir()
    shutil.copy(ONE_H, study / "a.txt")
    pq, cs, summ = tmp_path / "t.parquet", tmp_path / "t.csv", tmp_path / "summary.csv"
    assert main(["analyze", str(study), "--out", str(pq), "--workers", "1"]) == 0
    assert main(["analyze", str(study), "--out", str(cs), "--workers", "1"]) == 0
    assert main(["analyze", str(study / "a.txt"), "--csv", str(summ)]) == 0
    api = vagal_coach.analyze_files(study, workers=1)
    for df in (pd.read_parquet(pq), pd.read_csv(cs), pd.read_csv(summ), api):
        assert df["artifacts_pct"].iloc[0] == pytest.approx(one["artifacts_pct"], rel=1e-9)
        assert df["artifacts_ectopic"].iloc[0] == one["artifacts"]["ectopic"]
        # every figure of the single-file JSON is a column, with its value
        for k, v in one.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                assert df[k].iloc[0] == pytest.approx(v, rel=1e-9), k


def test_table_columns_follow_the_analysis_json(tmp_path, monkeypatch):
    """A figure added to the single-file analysis is a column of the table without a change to it."""
    from vagal_coach.analysis import cohort, recording

    real = recording.analyze

    def more(rec, settings=None):
        a = real(rec, settings)
        a.metrics["new_figure_ms"] = 42.0
        return a

    monkeypatch.setattr(cohort, "analyze", more)
    cohort.metric_columns.cache_clear()
    try:
        out = tmp_path / "t.csv"
        assert main(["analyze", str(FIVE_MIN), "--out", str(out), "--workers", "1"]) == 0
        assert pd.read_csv(out)["new_figure_ms"].iloc[0] == 42.0
    finally:
        cohort.metric_columns.cache_clear()


def test_windows_lie_on_the_grid_and_a_partial_one_is_marked(tmp_path):
    import vagal_coach

    rr = np.loadtxt(FIVE_MIN)
    assert 299.0 < rr.sum() / 1000 < 300.0  # a standard 5-minute sample, a little under 300 s
    out = tmp_path / "t.parquet"
    assert main(["analyze", str(FIVE_MIN), str(ONE_H), "--out", str(out), "--window", "120", "--workers", "1",
                 "--artifacts", "none"]) == 0
    w = pd.read_parquet(tmp_path / "t.windows.parquet")
    five = w[w["file"] == str(FIVE_MIN)]
    assert list(five["window_start_s"]) == [0.0, 120.0, 240.0]  # clean starts on the grid
    assert list(five["window_end_s"]) == [120.0, 240.0, 360.0]
    assert list(five["partial"]) == [False, False, True]  # 240-360 s holds 60 s of data: said so
    hour = w[w["file"] == str(ONE_H)]
    assert (hour["window_start_s"] % 120.0 == 0).all() and hour["window_start_s"].is_monotonic_increasing
    assert not hour["partial"].iloc[:-1].any()
    # each window's figures are the time-domain analysis of its beats
    t = np.cumsum(rr) / 1000.0
    sel = (t >= 120.0) & (t < 240.0)
    from vagal_coach.hrv.time_domain import time_domain

    td = time_domain(rr[sel])
    row = five.iloc[1]
    assert row["n_beats"] == sel.sum()
    for k in ("rmssd_ms", "sdnn_ms", "mean_hr_bpm", "pnn50_pct"):
        assert row[k] == pytest.approx(td[k], abs=1e-6), k  # the JSON keeps 6 decimals
    # the notebook API returns the same windows
    api = vagal_coach.analyze_files([FIVE_MIN, ONE_H], workers=1, window=120, artifacts="none")
    pd.testing.assert_frame_equal(api.attrs["windows"].reset_index(drop=True), w.reset_index(drop=True),
                                  check_dtype=False)


def test_report_counts_what_its_tachogram_shows(tmp_path, monkeypatch):
    """The 1 h report's artifact line and the tachogram's legend give the same count of corrected intervals."""
    from matplotlib.backends.backend_pdf import PdfPages

    texts: list[str] = []
    real = PdfPages.savefig

    def grab(self, fig=None, **kw):
        texts.extend(t.get_text() for t in fig.texts)
        for ax in fig.axes:
            leg = ax.get_legend()
            if leg is not None:
                texts.extend(t.get_text() for t in leg.get_texts())
        return real(self, fig, **kw)

    monkeypatch.setattr(PdfPages, "savefig", grab)
    assert main(["analyze", str(ONE_H), "--report", str(tmp_path / "r.pdf")]) == 0
    legend = next(t for t in texts if t.startswith("intervals changed by the correction ("))
    n_legend = int(legend.split("(")[1].rstrip(")"))
    line = next(t for t in texts if "intervals changed by the correction" in t and not t.startswith("intervals"))
    assert line.startswith(f"{n_legend} intervals changed")
    arts = next(t for t in texts if "artifacts," in t)
    assert arts.startswith("lipponen2019: 34 artifacts") and "ectopic 11" in arts  # 11 ectopic change 22 intervals
    assert n_legend == 44
