"""Cohorts that real folders break (issue 17): every failure is its row's one line, only regular files are
read, walks and globs never loop, outputs are never inputs, resumes never keep stale windows, one writer."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import RECORDINGS
from vagal_coach.cli import main

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

CLI = [sys.executable, "-m", "vagal_coach"]
FIVE_MIN = RECORDINGS / "pyhrv-nn-5min.txt"


def _one_line_error(err: str) -> None:
    lines = [x for x in err.strip().splitlines() if x.startswith("vagal-coach: error:")]
    assert len(err.strip().splitlines()) == 1 and len(lines) == 1, err
    assert "Traceback" not in err


@pytest.fixture
def study(tmp_path) -> Path:
    root = tmp_path / "study"
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    shutil.copy(FIVE_MIN, root / "a" / "rest.txt")
    shutil.copy(RECORDINGS / "synthetic-stepped-rf-5.5bpm.csv", root / "b" / "stepped.csv")
    return root


def test_files_that_break_a_reader_are_rows_not_a_stopped_run(study, tmp_path, capsys):
    header = (RECORDINGS / "synthetic-practice-6bpm.vcs.jsonl").read_text().splitlines()[0]
    nested = study / "b" / "nested.vcs.jsonl"  # RecursionError in the JSON parser
    nested.write_text(header + '\n{"type":"rr","t":1.0,"rr":' + "[" * 100_000 + "]" * 100_000 + "}\n")
    big_field = study / "b" / "bigfield.csv"  # _csv.Error: field larger than field limit
    big_field.write_text('time_s,rr_ms\n1.0,"' + "8" * 200_000 + '"\n2.0,800\n')
    out = tmp_path / "t.parquet"
    for args in ([], ["--resume"]):  # and --resume, which tries failed rows again, survives them too
        assert main(["analyze", str(study), "--out", str(out), "--workers", "1", *args]) == 1
        df = pd.read_parquet(out)
        assert len(df) == 4
        bad = df[df["error"].notna()].set_index("path")["error"]
        assert set(bad.index) == {str(nested), str(big_field)}
        assert str(nested) in bad[str(nested)] and "field larger than field limit" in bad[str(big_field)]
        assert all("\n" not in e and len(e) <= 300 for e in bad)
        err = capsys.readouterr().err
        assert "Traceback" not in err and err.count("vagal-coach: error:") == 2


@pytest.mark.parametrize("exc", [OverflowError, ZeroDivisionError, AttributeError, TypeError, IndexError,
                                 RuntimeError, RecursionError, KeyError, LookupError, AssertionError,
                                 MemoryError])
def test_any_exception_inside_one_recording_is_its_row(study, tmp_path, monkeypatch, capsys, exc):
    import vagal_coach.io

    real = vagal_coach.io.read_recording

    def reader(path, *a, **kw):
        if Path(path).name == "stepped.csv":
            raise exc("a shape nobody foresaw")
        return real(path, *a, **kw)

    monkeypatch.setattr(vagal_coach.io, "read_recording", reader)
    out = tmp_path / "t.csv"
    assert main(["analyze", str(study), "--out", str(out), "--workers", "1"]) == 1
    df = pd.read_csv(out)
    row = df[df["path"].str.endswith("stepped.csv")].iloc[0]
    assert row["error"].startswith(f"{study / 'b' / 'stepped.csv'}: {exc.__name__}: ")
    assert "a shape nobody foresaw" in row["error"]
    assert df[df["path"].str.endswith("rest.txt")]["error"].isna().all()
    for args in ([str(study / "b" / "stepped.csv")], [str(study / "a" / "rest.txt"), str(study / "b" / "stepped.csv")]):
        capsys.readouterr()
        assert main(["analyze", *args, "--workers", "1"]) == 2  # the printing path: the same one line
        err = capsys.readouterr().err
        assert "Traceback" not in err and err.count(f"{exc.__name__}: ") == 1


def test_a_fifo_socket_or_device_is_noted_and_skipped(study, tmp_path):
    import socket

    os.mkfifo(study / "a" / "x.txt")  # a named pipe named like a recording hung the run
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(study / "b" / "s.csv"))
    out = tmp_path / "t.csv"
    r = subprocess.run([*CLI, "analyze", str(study), "--out", str(out), "--workers", "1"], capture_output=True,
                       text=True, timeout=120)
    sock.close()
    assert r.returncode == 0, r.stderr
    assert f"{study / 'a' / 'x.txt'}: skipped, a named pipe (FIFO), not a regular file" in r.stderr
    assert f"{study / 'b' / 's.csv'}: skipped, a socket, not a regular file" in r.stderr
    assert len(pd.read_csv(out)) == 2
    # given by name, or a device: the same
    r = subprocess.run([*CLI, "analyze", str(study / "a" / "x.txt"), "/dev/null"], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "x.txt: skipped, a named pipe" in r.stderr and "/dev/null: skipped, a character device" in r.stderr
    assert "no recordings found" in r.stderr


def test_unreadable_folders_are_listed(study, tmp_path, monkeypatch, capsys):
    real = os.scandir
    locked = str(study / "b")

    def scandir(path="."):
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)  # (the tests run as root, whom chmod does not stop)
    out = tmp_path / "t.csv"
    assert main(["analyze", str(study), "--out", str(out), "--workers", "1"]) == 1
    err = capsys.readouterr().err
    assert f"{locked}: folder not read (Permission denied)" in err
    assert list(pd.read_csv(out)["path"]) == [str(study / "a" / "rest.txt")]


def test_walks_and_globs_visit_each_file_once_through_symlink_loops(study, tmp_path, capsys):
    os.symlink(study, study / "a" / "loop")  # a loop
    os.symlink(study / "a", study / "b" / "back")  # and a second one through it
    os.symlink(study / "a" / "rest.txt", study / "b" / "same.txt")  # a second name of one file
    want = [str(study / "a" / "rest.txt"), str(study / "b" / "stepped.csv")]
    for target in (str(study), str(study / "**" / "*.*")):
        out = tmp_path / f"t{len(target)}.csv"
        assert main(["analyze", target, "--out", str(out), "--workers", "1"]) == 0
        assert list(pd.read_csv(out)["path"]) == want, target


def test_the_output_table_and_its_companions_are_never_inputs(study, capsys):
    out = study / "results.csv"  # inside the folder analysed
    args = ["analyze", str(study), "--out", str(out), "--window", "60", "--workers", "1"]
    assert main(args) == 0
    assert (study / "results.windows.csv").exists()
    assert main([*args, "--resume"]) == 0
    assert "2 of 2 recordings already done" in capsys.readouterr().err
    df = pd.read_csv(out)
    assert len(df) == 2 and not df["path"].str.contains("results").any()


def test_resume_replaces_a_changed_files_windows(study, tmp_path, capsys):
    out = tmp_path / "t.parquet"
    args = ["analyze", str(study), "--out", str(out), "--window", "60", "--workers", "1"]
    assert main(args) == 0
    rest = study / "a" / "rest.txt"
    w = pd.read_parquet(tmp_path / "t.windows.parquet")
    assert (w["file"] == str(rest)).sum() == 5
    rr = np.loadtxt(rest)
    np.savetxt(rest, rr[: rr.size // 2], fmt="%.0f")  # the file changed: half as long
    assert main([*args, "--resume"]) == 0
    assert "1 of 2 recordings already done" in capsys.readouterr().err
    w = pd.read_parquet(tmp_path / "t.windows.parquet")
    mine = w[w["file"] == str(rest)]
    assert list(mine["window_start_s"]) == [0.0, 60.0, 120.0]  # the new windows, none of the old ones
    assert not w.duplicated(["file", "window_start_s"]).any()
    assert pd.read_parquet(out).set_index("path").loc[str(rest), "n_beats"] == rr.size // 2


def test_resume_refuses_a_changed_window_unless_asked(study, tmp_path, capsys):
    out = tmp_path / "t.parquet"
    base = ["analyze", str(study), "--out", str(out), "--workers", "1"]
    assert main([*base, "--window", "60"]) == 0
    before = out.read_bytes()
    capsys.readouterr()
    assert main([*base, "--window", "120", "--resume"]) == 2
    err = capsys.readouterr().err
    _one_line_error(err)
    assert "--window 60" in err and "--new-window" in err and out.read_bytes() == before
    assert main([*base, "--resume"]) == 2  # no --window against a table of 60 s windows: the same
    assert main([*base, "--window", "120", "--resume", "--new-window"]) == 0
    w = pd.read_parquet(tmp_path / "t.windows.parquet")
    assert set(np.diff(w[w["file"] == str(study / "a" / "rest.txt")]["window_start_s"])) == {120.0}
    assert set(pd.read_parquet(out)["window_s"]) == {120.0}


@pytest.mark.parametrize("out_args", [[], ["--out", "t.csv"]])
def test_an_empty_folder_says_so(tmp_path, capsys, out_args):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.md").write_text("no recordings here")
    args = [a if a != "t.csv" else str(tmp_path / "t.csv") for a in out_args]
    assert main(["analyze", str(empty), *args]) == 2
    err = capsys.readouterr().err
    _one_line_error(err)
    assert "no recordings found in" in err and str(empty) in err
    assert not (tmp_path / "t.csv").exists()


def test_a_table_being_written_is_locked(study, tmp_path, capsys):
    from vagal_coach.analysis import cohort

    out = tmp_path / "t.parquet"
    with cohort.table_lock(out):  # another run holds it
        assert main(["analyze", str(study), "--out", str(out), "--workers", "1"]) == 2
        err = capsys.readouterr().err
        _one_line_error(err)
        assert "another run is writing this table" in err and not out.exists()
    assert main(["analyze", str(study), "--out", str(out), "--workers", "1"]) == 0  # free again
    assert not cohort.lock_path(out).exists()


@pytest.mark.parametrize("bad", [["--scheduler", "foo"], ["--workers", "-3"], ["--workers", "0"],
                                 ["--scheduler", "local", "--workers", "-3"]])
def test_bad_scheduler_or_workers_is_one_line(study, tmp_path, bad):
    r = subprocess.run([*CLI, "analyze", str(study), "--out", str(tmp_path / "t.csv"), *bad], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 2
    _one_line_error(r.stderr)
    assert ("--scheduler must be" if "foo" in bad else "--workers must be") in r.stderr
    assert not (tmp_path / "t.csv").exists()
    if "--scheduler" not in bad:
        r = subprocess.run([*CLI, "analyze", str(study), *bad], capture_output=True, text=True, timeout=60)
        assert r.returncode == 2 and "--workers must be" in r.stderr and "Traceback" not in r.stderr


def test_a_closed_pipe_ends_quietly(tmp_path):
    for i in range(4):
        shutil.copy(RECORDINGS / "pyhrv-nn-1h.txt", tmp_path / f"r{i}.txt")
    # far more than a pipe holds (64 KiB): the JSON of 360 windows a file
    r = subprocess.run(["bash", "-o", "pipefail", "-c", " ".join([*CLI, "analyze", str(tmp_path), "--json", "--window",
                                                                  "10", "--workers", "1"]) + " | head -n 1"],
                       capture_output=True, text=True, timeout=300)
    assert r.stdout.count("\n") == 1 and r.returncode == 141  # 128 + SIGPIPE, as a shell reports it
    assert r.stderr == "", r.stderr  # no BrokenPipeError, no "Exception ignored"


def test_local_cluster_listens_on_loopback_only():
    """`--scheduler local` binds its scheduler, workers and dashboard to 127.0.0.1, as the link it prints."""
    psutil = pytest.importorskip("psutil")
    pytest.importorskip("distributed")
    from vagal_coach.analysis import cohort

    said: list[str] = []
    with cohort.executor_for("local", 1, said.append) as ex:
        assert ex.submit(abs, -3).result() == 3
        me = psutil.Process()
        listening = [c.laddr for p in [me, *me.children(recursive=True)]
                     for c in p.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]
    assert listening and all(a.ip in ("127.0.0.1", "::1") for a in listening), listening
    assert "dashboard: http://127.0.0.1:" in said[0]
