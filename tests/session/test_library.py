import json
import shutil

import pytest

from tests.conftest import RECORDINGS
from vagal_coach.session.library import Library, load_profile


@pytest.fixture
def home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    monkeypatch.setenv("VAGAL_COACH_HOME", str(h))
    d = h / "recordings" / "ana"
    d.mkdir(parents=True)
    shutil.copy(RECORDINGS / "synthetic-practice-6bpm.vcs.jsonl", d / "20261101-090000-practice.vcs.jsonl")
    (d / "20261102-090000-practice.vcs.jsonl").write_bytes(b"\x00\x01garbage")
    return h


def test_index_rebuilds_from_files_and_lists_unreadable(home):
    lib = Library.open()
    assert lib.rebuild() == 2
    rows = {r["path"].rsplit("/", 1)[-1]: r for r in lib.sessions()}
    ok = rows["20261101-090000-practice.vcs.jsonl"]
    assert ok["status"] == "ok" and ok["rate_bpm"] == 6.0 and ok["resting_ln_rmssd"] > 0
    assert ok["session_rmssd_ms"] > ok["resting_ln_rmssd"] and ok["resonance_power_ms2"] > 0
    bad = rows["20261102-090000-practice.vcs.jsonl"]
    assert bad["status"] == "unreadable" and "binary" in bad["error"]
    # the index is disposable: delete it, the files rebuild it
    lib.path.unlink()
    lib2 = Library.open()
    assert lib2.sessions() == []
    lib2.rebuild()
    assert sorted(r["status"] for r in lib2.sessions()) == ["ok", "unreadable"]


def test_refresh_marks_missing_files(home):
    lib = Library.open()
    lib.rebuild()
    next((home / "recordings" / "ana").glob("20261101*")).unlink()
    lib.refresh()
    st = sorted(r["status"] for r in lib.sessions())
    assert st == ["unreadable", "unreadable"]


def test_history_cli_and_resonance_saved_to_profile(home, run_cli):
    r = run_cli("history", "--json")
    assert r.returncode == 0, r.stderr
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(rows) == 2 and {x["status"] for x in rows} == {"ok", "unreadable"}
    r = run_cli("history")
    assert "UNREADABLE" in r.stdout and "6.0" in r.stdout
    csv = str(RECORDINGS / "synthetic-stepped-rf-5.5bpm.csv")
    r = run_cli("resonance", csv, "--save-profile", "ana")
    assert r.returncode == 0, r.stderr
    assert load_profile("ana")["resonance_bpm"] == 5.5


def test_history_report_and_progress(home, tmp_path, run_cli):
    import numpy as np

    from tests.test_resonance import _pdf_pages
    from vagal_coach.session.library import progress, weekly_median

    pdf = tmp_path / "progress.pdf"
    r = run_cli("history", "--report", pdf)
    assert r.returncode == 0, r.stderr
    assert "2 recordings" in r.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-" and _pdf_pages(pdf) == 3  # trends, table, unreadable list
    rows = Library.open().sessions()
    tr = progress(rows)
    assert tr["session_rmssd_ms"][1].size == 1  # the unreadable one has no figures
    # weekly medians: two weeks, three sessions
    day = 86400.0
    t0 = 1_700_000_000.0 - (1_700_000_000.0 - 4 * day) % (7 * day)  # a Monday 00:00 UTC
    wt, wv = weekly_median(np.array([t0 + day, t0 + 2 * day, t0 + 8 * day]), np.array([1.0, 3.0, 5.0]))
    assert list(wv) == [2.0, 5.0] and wt[0] == pytest.approx(t0 + 3.5 * day)
