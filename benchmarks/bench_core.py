"""Core speed against neurokit2 at matched settings (interpolation_rate=4, normalize=False).

Run: make bench   (or .venv/bin/python benchmarks/bench_core.py)
Compute only: imports and data preparation are outside the timed regions.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import rr_1h, rr_24h  # noqa: E402

from vagal_coach import hrv  # noqa: E402
from vagal_coach.hrv.live import live_panel  # noqa: E402


def live_panel_bench() -> None:
    import neurokit2 as nk

    rr = rr_1h()
    t = np.cumsum(rr) / 1000
    ends = np.arange(200, rr.size)
    ours = []
    for i in ends:
        s = time.perf_counter()
        live_panel(t[: i + 1], rr[: i + 1], 0.1)
        ours.append(time.perf_counter() - s)
    theirs = []
    peaks_all = np.concatenate(([0], np.cumsum(rr))).astype(int)
    for i in ends[::60]:
        j60 = np.searchsorted(t, t[i] - 60, side="right")
        j120 = np.searchsorted(t, t[i] - 120, side="right")
        p60 = peaks_all[j60: i + 2] - peaks_all[j60]
        p120 = peaks_all[j120: i + 2] - peaks_all[j120]
        s = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nk.hrv_time(p60, sampling_rate=1000)
            nk.hrv_frequency(p120, sampling_rate=1000, interpolation_rate=4, normalize=False)
        theirs.append(time.perf_counter() - s)
    mo, mt = np.median(ours) * 1e3, np.median(theirs) * 1e3
    print(f"live panel per beat ({len(ours)} beats, 60 s RMSSD + 120 s LF/resonance/coherence):")
    print(f"  vagal-coach median {mo:.3f} ms (p95 {np.percentile(ours, 95) * 1e3:.3f} ms)")
    print(f"  neurokit2 hrv_time(60 s) + hrv_frequency(120 s) median {mt:.2f} ms ({len(theirs)} windows)")
    print(f"  ratio: {mt / mo:.0f}x faster   [target: median <= 0.25 ms and >= 25x]")


def day_bench() -> None:
    import neurokit2 as nk

    rr = rr_24h()
    t = np.cumsum(rr) / 1000
    peaks = np.concatenate(([0], np.cumsum(rr))).astype(int)
    def ours_once() -> None:
        hrv.time_domain(rr)
        hrv.frequency_domain(t, rr)

    def theirs_once() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nk.hrv_time(peaks, sampling_rate=1000)
            nk.hrv_frequency(peaks, sampling_rate=1000, interpolation_rate=4, normalize=False)

    def best_of(fn, n: int = 3) -> float:  # warm runs, both sides alike: imports and first-call set-up excluded
        times = []
        for _ in range(n):
            s = time.perf_counter()
            fn()
            times.append(time.perf_counter() - s)
        return min(times)

    ours, theirs = best_of(ours_once), best_of(theirs_once)
    print(f"24 h ({rr.size} beats), time + frequency domain:")
    print(f"  vagal-coach {ours * 1e3:.0f} ms; neurokit2 {theirs * 1e3:.0f} ms; ratio {theirs / ours:.1f}x "
          "(best of 3 each) [target >= 10x]")


if __name__ == "__main__":
    live_panel_bench()
    day_bench()
