"""Cohorts: a folder of mixed recordings to one table, bad files named, resumable, on a real Dask cluster."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

import vagal_coach  # noqa: E402
from tests.conftest import RECORDINGS  # noqa: E402
from vagal_coach.analysis.cohort import COLUMNS  # noqa: E402

CLI = [sys.executable, "-m", "vagal_coach"]


@pytest.fixture
def study(tmp_path) -> Path:
    """Nested folders of every format, two broken files, and files a walk must leave alone."""
    root = tmp_path / "study"
    (root / "site-a" / "s01").mkdir(parents=True)
    (root / "site-b").mkdir()
    shutil.copy(RECORDINGS / "pyhrv-nn-5min.txt", root / "site-a" / "s01" / "rest.txt")
    shutil.copy(RECORDINGS / "pyhrv-nn-1h.txt", root / "site-a" / "long.txt")
    shutil.copy(RECORDINGS / "synthetic-practice-6bpm.vcs.jsonl", root / "site-b" / "practice.vcs.jsonl")
    shutil.copy(RECORDINGS / "synthetic-stepped-rf-5.5bpm.csv", root / "site-b" / "stepped.csv")
    rr = np.loadtxt(RECORDINGS / "pyhrv-nn-5min.txt")
    rows = [f"2026-04-24T14:10:{i % 60:02d}.000;{int(r)}" for i, r in enumerate(rr)]
    (root / "site-b" / "polar.txt").write_text("Phone timestamp;RR-interval [ms]\n" + "\n".join(rows) + "\n")
    vagal_coach.read(root / "site-a" / "s01" / "rest.txt")  # the API reads what the walk finds
    subprocess.run([*CLI, "export", str(root / "site-a" / "s01" / "rest.txt"), str(root / "site-a" / "rest.edf")],
                   check=True, capture_output=True)
    (root / "site-b" / "garbage.txt").write_text("not, a, recording\nat all\n")  # broken 1
    # broken 2: no interval in the range (a single negative line is one rejected beat since issue 18)
    (root / "site-a" / "negative.txt").write_text("-800\n-790\n0\n")
    (root / "README.md").write_text("notes")  # not a recording's suffix: left alone
    (root / ".hidden.txt").write_text("800\n")  # hidden: left alone
    return root


def run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "analyze", *args], capture_output=True, text=True, timeout=300, **kw)


def test_folder_to_table_bad_files_named_exit_1(study, tmp_path):
    out = tmp_path / "results.parquet"
    r = run(str(study), "--out", str(out), "--workers", "2", "--window", "120")
    assert r.returncode == 1, r.stderr
    df = pd.read_parquet(out)
    assert list(df.columns) == list(COLUMNS)
    assert len(df) == 8 and df["path"].is_unique  # 6 recordings + 2 broken; README and hidden left out
    bad = df[df["error"].notna()]
    assert sorted(Path(p).name for p in bad["path"]) == ["garbage.txt", "negative.txt"]
    for p in bad["path"]:
        assert p in r.stderr  # named in the summary too
    assert "6 of 8 recordings analysed" in r.stderr and "2 failed" in r.stderr
    good = df[df["error"].isna()]
    assert set(good["format"]) == {"rr-text", "native", "csv", "polar-sensor-logger", "edf"}
    assert (good["size_bytes"] > 0).all() and good["settings_hash"].nunique() == 1
    # each row is the single-file analysis of that file
    one = json.loads(run(str(study / "site-a" / "long.txt"), "--json").stdout)
    row = df[df["path"] == str(study / "site-a" / "long.txt")].iloc[0]
    for k in ("n_beats", "rmssd_ms", "sdnn_ms", "lf_ms2", "hf_ms2", "dfa_alpha1", "sampen"):
        assert row[k] == pytest.approx(one[k], rel=1e-9), k
    assert row["artifacts_ectopic"] == one["artifacts"]["ectopic"]
    w = pd.read_parquet(tmp_path / "results.windows.parquet")
    long_w = w[w["file"] == str(study / "site-a" / "long.txt")]
    assert len(long_w) == 30 and np.allclose(np.diff(long_w["window_start_s"]), 120.0)
    # results are never overwritten
    again = run(str(study), "--out", str(out))
    assert again.returncode == 2 and "--resume" in again.stderr and len(again.stderr.strip().splitlines()) == 1


def test_exit_codes_all_and_none(study, tmp_path):
    assert run(str(study / "site-b" / "stepped.csv"), "--out", str(tmp_path / "a.csv")).returncode == 0
    r = run(str(study / "site-b" / "garbage.txt"), str(study / "site-a" / "negative.txt"), "--out",
            str(tmp_path / "b.csv"))
    assert r.returncode == 2
    assert pd.read_csv(tmp_path / "b.csv")["error"].notna().all()  # the table names why, all the same


def test_notebook_api_matches_the_table(study, tmp_path):
    df = vagal_coach.analyze_files(study, workers=1, detrend="linear")
    assert list(df.columns) == list(COLUMNS) and len(df) == 8
    r = run(str(study), "--out", str(tmp_path / "t.parquet"), "--detrend", "linear")
    table = pd.read_parquet(tmp_path / "t.parquet")
    pd.testing.assert_frame_equal(df.drop(columns=["mtime"]), table.drop(columns=["mtime"]), check_dtype=False)
    assert r.returncode == 1


#: enough one-hour recordings that one worker takes several seconds (the interrupt lands mid-run)
N_RESUME = 150


def _copies(tmp_path: Path, n: int) -> Path:
    d = tmp_path / "many"
    d.mkdir()
    rr = np.loadtxt(RECORDINGS / "pyhrv-nn-1h.txt")
    rng = np.random.default_rng(0)
    for i in range(n):
        np.savetxt(d / f"r{i:03d}.txt", rr + rng.normal(0, 2, rr.size), fmt="%.1f")
    return d


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_resume_after_an_interrupted_run_holds_every_recording_once(tmp_path, sig):
    d = _copies(tmp_path, N_RESUME)
    out = tmp_path / "res.parquet"
    def child() -> None:  # Ctrl-C as a terminal gives it; niced, so the test sees its first checkpoint in time
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.nice(10)

    p = subprocess.Popen([*CLI, "analyze", str(d), "--out", str(out), "--workers", "1", "--window", "600"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=child)
    deadline = time.monotonic() + 120
    while not out.exists():  # the first checkpoint: some recordings are done
        assert time.monotonic() < deadline and p.poll() is None, p.communicate()
        time.sleep(0.05)
    p.send_signal(sig)
    _, err = p.communicate(timeout=60)
    if sig == signal.SIGINT:
        assert p.returncode == 130 and "--resume continues" in err
    else:
        assert p.returncode == -signal.SIGKILL
    partial = pd.read_parquet(out)  # whatever was written is whole (atomic), never half a table
    assert 0 < len(partial) < N_RESUME
    assert not list(tmp_path.glob(".res.parquet.tmp-*")) or sig == signal.SIGKILL
    r = run(str(d), "--out", str(out), "--resume", "--workers", "2", "--window", "600")
    assert r.returncode == 0, r.stderr
    assert f"{len(partial)} of {N_RESUME} recordings already done" in r.stderr
    final = pd.read_parquet(out)
    assert len(final) == N_RESUME and final["path"].is_unique and final["error"].isna().all()
    assert sorted(final["path"]) == sorted(str(x) for x in d.iterdir())
    w = pd.read_parquet(tmp_path / "res.windows.parquet")  # the windows of the resumed rows are kept too
    assert set(w["file"]) == set(final["path"]) and not w.duplicated(["file", "window_start_s"]).any()
    assert (w.groupby("file").size() == 6).all()


@pytest.mark.parametrize("killed_at", [1, 2])
def test_a_kill_between_the_two_writes_never_loses_windows_of_rows_kept(tmp_path, monkeypatch, killed_at):
    """The checkpoint writes two files; a run killed after either must resume to rows that all keep their
    windows (windows of rows not yet in the table are dropped, and those recordings run again)."""
    from vagal_coach.analysis import cohort

    out = tmp_path / "res.parquet"
    s = cohort.AnalysisSettings(window_s=600.0)
    digest = cohort.settings_hash(s)
    src = _copies(tmp_path, 3)
    rows = [cohort.analyze_one(str(p), s, digest, True) for p in sorted(src.iterdir())]
    ck = cohort.Checkpointer(out, {}, [], True, every_s=1e9)
    ck.add(*rows[0])
    ck.flush()
    real, calls = cohort.write_table, []

    def dies(df, path):
        calls.append(path)
        if len(calls) == killed_at:
            raise SystemExit("killed")  # what SIGKILL leaves: the writes before this one, none after
        real(df, path)

    monkeypatch.setattr(cohort, "write_table", dies)
    for r in rows[1:]:
        ck.add(*r)
    with pytest.raises(SystemExit):
        ck.flush()
    monkeypatch.setattr(cohort, "write_table", real)
    done, wdone = cohort.done_rows(out)
    kept = {k[0] for k in done}
    assert kept and {w["file"] for w in wdone} == kept  # every row kept has its windows, and only those
    assert len(wdone) == 6 * len(kept)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dask_cluster_gives_the_same_table_as_the_local_run(study, tmp_path):
    """A real `dask scheduler` and `dask worker` as subprocesses; the same tasks through --scheduler."""
    dask = shutil.which("dask") or str(Path(sys.executable).parent / "dask")
    if not Path(dask).exists():
        pytest.skip("dask is not installed")
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, DASK_DISTRIBUTED__WORKER__DAEMON="False")
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)]
    try:
        time.sleep(1.0)
        procs.append(subprocess.Popen([dask, "worker", addr, "--nworkers", "1", "--nthreads", "1",
                                       "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      env=env, cwd=tmp_path))
        from distributed import Client

        with Client(addr, timeout=30) as c:
            c.wait_for_workers(1, timeout=60)
        remote = run(str(study), "--out", str(tmp_path / "remote.parquet"), "--scheduler", addr)
        local = run(str(study), "--out", str(tmp_path / "local.parquet"), "--workers", "2")
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
    assert remote.returncode == 1 and local.returncode == 1, remote.stderr
    assert f"Dask cluster at {addr}: 1 workers" in remote.stderr
    a, b = pd.read_parquet(tmp_path / "remote.parquet"), pd.read_parquet(tmp_path / "local.parquet")
    pd.testing.assert_frame_equal(a, b)
    assert sorted(Path(p).name for p in a.loc[a["error"].notna(), "path"]) == ["garbage.txt", "negative.txt"]


def test_unreachable_scheduler_is_one_line(study, tmp_path):
    r = run(str(study), "--out", str(tmp_path / "x.parquet"), "--scheduler", f"tcp://127.0.0.1:{_free_port()}")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Dask scheduler" in r.stderr
    assert not (tmp_path / "x.parquet").exists()


def test_local_cluster_prints_its_dashboard_and_gives_the_same_table(study, tmp_path):
    r = run(str(study), "--out", str(tmp_path / "lc.parquet"), "--scheduler", "local", "--workers", "1")
    assert r.returncode == 1, r.stderr
    assert "Dask LocalCluster with 1 workers; dashboard: http" in r.stderr
    local = run(str(study), "--out", str(tmp_path / "pool.parquet"), "--workers", "1")
    assert local.returncode == 1
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "lc.parquet"), pd.read_parquet(tmp_path / "pool.parquet"))
