"""Issue 17, writes: whole files or none, never an existing file without --force, never an input, 0600."""

from __future__ import annotations

import os
import stat

import numpy as np
import pytest

from tests.conftest import RECORDINGS
from vagal_coach.cli import main, report_names

SAMPLE = RECORDINGS / "pyhrv-nn-5min.txt"


@pytest.fixture
def rec_txt(tmp_path):
    p = tmp_path / "rec.txt"
    p.write_bytes(SAMPLE.read_bytes())
    return p


def _one_error_line(capsys, *needles):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and all(n in err[0] for n in needles), err
    assert "Traceback" not in err[0]
    return err[0]


def test_analyze_csv_onto_its_input_is_refused_and_the_input_kept(rec_txt, capsys):
    before = rec_txt.read_bytes()
    assert main(["analyze", str(rec_txt), "--csv", str(rec_txt)]) == 2
    _one_error_line(capsys, str(rec_txt), "input")
    assert rec_txt.read_bytes() == before
    assert main(["analyze", str(rec_txt), "--csv", str(rec_txt), "--force"]) == 2  # not even with --force
    assert rec_txt.read_bytes() == before


def test_analyze_report_onto_its_input_is_refused(rec_txt, capsys):
    before = rec_txt.read_bytes()
    assert main(["analyze", str(rec_txt), "--report", str(rec_txt)]) == 2
    _one_error_line(capsys, "input")
    assert rec_txt.read_bytes() == before


def test_existing_csv_and_report_replaced_only_with_force(rec_txt, tmp_path, capsys):
    csv, pdf = tmp_path / "sum.csv", tmp_path / "rep.pdf"
    csv.write_text("keep me\n")
    pdf.write_text("keep me too\n")
    assert main(["analyze", str(rec_txt), "--csv", str(csv)]) == 2
    _one_error_line(capsys, str(csv), "--force")
    assert main(["analyze", str(rec_txt), "--report", str(pdf)]) == 2
    assert csv.read_text() == "keep me\n" and pdf.read_text() == "keep me too\n"
    capsys.readouterr()
    assert main(["analyze", str(rec_txt), "--csv", str(csv), "--report", str(pdf), "--force"]) == 0
    assert csv.read_text().startswith("file,") and pdf.read_bytes().startswith(b"%PDF")
    for p in (csv, pdf):
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_reports_for_same_named_files_in_two_folders_do_not_collide(tmp_path, capsys):
    for sub in ("a", "b"):
        (tmp_path / "s" / sub).mkdir(parents=True)
        (tmp_path / "s" / sub / "x.txt").write_bytes(SAMPLE.read_bytes())
    out = tmp_path / "rep.pdf"
    assert main(["analyze", str(tmp_path / "s" / "a" / "x.txt"), str(tmp_path / "s" / "b" / "x.txt"),
                 "--report", str(out)]) == 0
    assert sorted(p.name for p in tmp_path.glob("rep*.pdf")) == ["rep-a-x.pdf", "rep-b-x.pdf"]
    names = report_names(out, ["s/a/x.txt", "s/b/y.txt"])
    assert [p.name for p in names.values()] == ["rep-x.pdf", "rep-y.pdf"]
    names = report_names(out, ["s/a/x.txt", "s/a/x.csv"])
    assert len({p.name for p in names.values()}) == 2


def test_export_never_replaces_without_force_nor_its_input(rec_txt, tmp_path, capsys):
    before = rec_txt.read_bytes()
    assert main(["export", str(rec_txt), str(rec_txt), "--force"]) == 2
    _one_error_line(capsys, "input")
    assert rec_txt.read_bytes() == before
    out = tmp_path / "out.csv"
    out.write_text("old\n")
    assert main(["export", str(rec_txt), str(out)]) == 2
    _one_error_line(capsys, "exists")
    assert out.read_text() == "old\n"
    assert main(["export", str(rec_txt), str(out), "--force"]) == 0
    assert out.read_text().startswith("time_s,rr_ms")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_export_at_umask_000_is_private(rec_txt, tmp_path):
    old = os.umask(0)
    try:
        for suffix in (".txt", ".csv", ".edf", ".vcs.jsonl"):
            out = tmp_path / f"o{suffix}"
            assert main(["export", str(rec_txt), str(out)]) == 0
            assert stat.S_IMODE(out.stat().st_mode) == 0o600, suffix
    finally:
        os.umask(old)


def test_replay_headless_jsonl_existing_is_one_line(rec_txt, tmp_path, capsys):
    out = tmp_path / "snap.jsonl"
    out.write_text("old\n")
    assert main(["replay", str(rec_txt), "--headless", "--jsonl", str(out)]) == 2
    _one_error_line(capsys, str(out), "exists")
    assert out.read_text() == "old\n"
    assert main(["replay", str(rec_txt), "--headless", "--jsonl", str(rec_txt), "--force"]) == 2
    assert main(["replay", str(rec_txt), "--headless", "--jsonl", str(out), "--force"]) == 0
    lines = out.read_text().splitlines()
    assert len(lines) > 100 and lines[0].startswith("{")


def test_resonance_and_history_reports_never_replace(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VAGAL_COACH_HOME", str(tmp_path / "home"))
    rec = tmp_path / "rf.csv"
    t = np.cumsum(np.full(600, 1.0))
    rec.write_text("time_s,rr_ms,pacer_bpm\n" + "".join(f"{x:.3f},1000,6\n" for x in t))
    pdf = tmp_path / "r.pdf"
    pdf.write_text("mine\n")
    assert main(["resonance", str(rec), "--report", str(pdf)]) == 2
    assert main(["history", "--report", str(pdf)]) == 2
    assert pdf.read_text() == "mine\n"
    assert main(["resonance", str(rec), "--report", str(rec), "--force"]) == 2
    assert rec.read_text().startswith("time_s")


def test_a_full_disk_while_saving_a_profile_leaves_it_whole(tmp_path, monkeypatch):
    import errno

    from vagal_coach.errors import UserError
    from vagal_coach.io import atomic
    from vagal_coach.session.library import load_profile, save_resonance

    monkeypatch.setenv("VAGAL_COACH_HOME", str(tmp_path / "home"))
    save_resonance("Anna", 5.5, 0.9, "stepped", "a.vcs.jsonl")
    before = load_profile("Anna")

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(UserError, match="No space left"):
        save_resonance("Anna", 6.0, 0.8, "sliding", "b.vcs.jsonl")
    monkeypatch.undo()
    monkeypatch.setenv("VAGAL_COACH_HOME", str(tmp_path / "home"))
    assert load_profile("Anna") == before  # the rate and the history as they were
    assert not [p for p in (tmp_path / "home" / "profiles").iterdir() if p.name.startswith(".")]


def test_history_rebuild_over_a_huge_native_line_is_quick_and_lists_it(tmp_path, monkeypatch, capsys):
    import json
    import time

    monkeypatch.setenv("VAGAL_COACH_HOME", str(tmp_path / "home"))
    d = tmp_path / "home" / "recordings" / "x"
    d.mkdir(parents=True)
    h = {"type": "header", "format": "vagal-coach-session", "format_version": 1, "profile": "x"}
    with open(d / "big.vcs.jsonl", "w") as f:
        f.write(json.dumps(h) + "\n" + '{"type":"beats","t":[' + ",".join(["1"] * 5_000_000) + '],"rr":[1]}\n')
    t0 = time.perf_counter()
    assert main(["history", "--rebuild"]) == 0
    assert time.perf_counter() - t0 < 20
    out = capsys.readouterr().out
    assert "UNREADABLE" in out and "longer than" in out
