"""Cohort throughput: N one-hour recordings (the 1 h sample with jittered copies).

Prints files per second per core for the local process pool and for a Dask LocalCluster with the same
workers (the cluster's overhead, against the target of <= 15 %: tasks carry batches of recordings, so the
cluster's per-task cost is paid once per batch), neurokit2's ``hrv_time`` + ``hrv_frequency`` per file at matched
settings (4 Hz interpolation, unnormalised PSD; measured on a sample of the files, one core) against
ours per file per core, and the largest worker RSS (each worker process polled on its own). Usage::

    .venv/bin/python benchmarks/bench_cohort.py [--n 1000] [--workers 2] [--nk-files 20] [--nk-full-files 1]
                                                [--repeat 1]

On a machine that is busy with other work, ``--repeat 3`` alternates the pool and the cluster runs and
keeps the fastest of each (the least disturbed), so the overhead compares like with like.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import rr_1h  # noqa: E402

from vagal_coach.analysis import AnalysisSettings  # noqa: E402
from vagal_coach.analysis.cohort import analyze_batch, executor_for, run_cohort  # noqa: E402


class RssWatch:
    """The largest RSS any child process (a worker) reached while running, polled every 50 ms."""

    def __init__(self) -> None:
        self.max_mb = 0.0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            for c in me.children(recursive=True):
                try:
                    self.max_mb = max(self.max_mb, c.memory_info().rss / 2**20)
                except psutil.Error:
                    pass
            time.sleep(0.05)

    def __enter__(self) -> RssWatch:
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()


def make_files(d: Path, n: int) -> list[Path]:
    base = rr_1h()
    rng = np.random.default_rng(1)
    out = []
    for i in range(n):
        p = d / f"s{i:05d}.txt"
        rr = base * rng.uniform(0.85, 1.15) + rng.normal(0, 3, base.size)
        p.write_text("\n".join(f"{x:.1f}" for x in rr))
        out.append(p)
    return out


def timed_run(folder: Path, scheduler: str | None, workers: int) -> tuple[float, float, int]:
    with executor_for(scheduler, workers) as ex:
        # warm the workers so both are timed on the analysis, not on start-up: the pool's workers are forked
        # from this process (vagal_coach already imported), Dask's are started afresh and import it (and
        # numpy, scipy) on their first task, a second or two each, once per worker whatever the cohort's size
        if ex is not None:
            one = [str(next(folder.iterdir()))]
            list(ex.map(analyze_batch, [one] * (workers * 4), [AnalysisSettings()] * (workers * 4)))
        with RssWatch() as watch:
            t0 = time.perf_counter()
            res = run_cohort([folder], AnalysisSettings(), executor=ex)
            dt = time.perf_counter() - t0
    assert not res.failed, res.failed[:3]
    return dt, watch.max_mb, len(res.rows)


def neurokit_per_file_s(files: list[Path], like_ours: bool = False) -> float:
    """neurokit2's ``hrv_time`` + ``hrv_frequency`` per file at our settings; ``like_ours``: neurokit2 doing
    what we do per file, i.e. artifact correction (its Kubios method) first and the nonlinear metrics too
    (``hrv_nonlinear`` computes more entropies than we report)."""
    import neurokit2 as nk

    t0 = time.perf_counter()
    for p in files:
        rr = np.loadtxt(p)
        peaks = np.concatenate(([0.0], np.cumsum(rr))).round().astype(int)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if like_ours:
                peaks = np.asarray(nk.signal_fixpeaks(peaks, sampling_rate=1000, iterative=True,
                                                      method="Kubios")[1])
            nk.hrv_time(peaks, sampling_rate=1000)
            nk.hrv_frequency(peaks, sampling_rate=1000, interpolation_rate=4, normalize=False)
            if like_ours:
                nk.hrv_nonlinear(peaks, sampling_rate=1000)
    return (time.perf_counter() - t0) / len(files)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--nk-files", type=int, default=20)
    ap.add_argument("--nk-full-files", type=int, default=1, help="files for neurokit2 doing all we do (slow)")
    ap.add_argument("--repeat", type=int, default=1, help="alternate pool and cluster runs, keep each's fastest")
    ns = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        t0 = time.perf_counter()
        files = make_files(d, ns.n)
        print(f"{ns.n} one-hour recordings written in {time.perf_counter() - t0:.1f} s; {ns.workers} workers",
              flush=True)
        pool_runs, lc_runs = [], []
        for _ in range(ns.repeat):  # alternated, so a burst of load elsewhere hits both alike
            pool_runs.append(timed_run(d, None, ns.workers))
            lc_runs.append(timed_run(d, "local", ns.workers))
        pool_s, pool_rss, n = min(pool_runs)
        lc_s, lc_rss, _ = min(lc_runs)
        rate_pool = n / pool_s / ns.workers
        rep = f" (fastest of {ns.repeat})" if ns.repeat > 1 else ""
        print(f"local pool:        {pool_s:6.1f} s{rep}, {n / pool_s:6.1f} files/s, {rate_pool:5.1f} files/s per "
              f"core; largest worker RSS {pool_rss:.0f} MB", flush=True)
        overhead = 100 * (lc_s / pool_s - 1)
        print(f"Dask LocalCluster: {lc_s:6.1f} s{rep}, {n / lc_s:6.1f} files/s, {n / lc_s / ns.workers:5.1f} files/s "
              f"per core; largest process RSS {lc_rss:.0f} MB; overhead {overhead:+.1f} % (target <= 15 %: "
              f"{'met' if overhead <= 15 else 'MISSED'})", flush=True)
        nk_s = neurokit_per_file_s(files[: ns.nk_files])
        ours_s = 1.0 / rate_pool
        print(f"neurokit2 hrv_time + hrv_frequency: {1000 * nk_s:.0f} ms per file (one core); ours (every metric, "
              f"artifact correction included) {1000 * ours_s:.1f} ms per file per core: {nk_s / ours_s:.1f}x",
              flush=True)
        if ns.nk_full_files:
            full_s = neurokit_per_file_s(files[: ns.nk_full_files], like_ours=True)
            print(f"neurokit2 doing what we do (signal_fixpeaks Kubios + hrv_time + hrv_frequency + hrv_nonlinear): "
                  f"{1000 * full_s:.0f} ms per file (one core): ours {full_s / ours_s:.0f}x faster (target >= 100x: "
                  f"{'met' if full_s / ours_s >= 100 else 'MISSED'})")


if __name__ == "__main__":
    main()
