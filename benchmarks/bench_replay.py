"""Replay of the 24 h day through the live engine as fast as possible: wall time and memory.

Run: make bench. Runs `vagal-coach replay DAY --headless --speed max --jsonl OUT` as a fresh process
and samples its RSS every 0.5 s (memory must stay flat), then reports the figures.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import rr_24h  # noqa: E402
from _day_native import write_day_native  # noqa: E402


def main() -> None:
    rr = rr_24h()
    exe = str(Path(sys.executable).parent / "vagal-coach")
    with tempfile.TemporaryDirectory() as d:
        day = Path(d) / "day.vcs.jsonl"
        write_day_native(day, rr)
        out = Path(d) / "snapshots.jsonl"
        t0 = time.perf_counter()
        proc = subprocess.Popen([exe, "replay", str(day), "--headless", "--speed", "max", "--jsonl", str(out)])
        ps = psutil.Process(proc.pid)
        samples = []
        while proc.poll() is None:
            try:
                samples.append((time.perf_counter() - t0, ps.memory_info().rss / 2**20))
            except psutil.NoSuchProcess:
                break
            time.sleep(0.5)
        wall = time.perf_counter() - t0
        n = sum(1 for _ in open(out))
        mid = [m for t, m in samples if t > 3.0]
        print(f"replay 24 h ({rr.size} beats, {n} snapshots) --speed max: wall {wall:.1f} s [target <= 30 s]")
        if mid:
            q = len(mid) // 4 or 1
            print(f"  RSS after start-up: first quarter {sum(mid[:q]) / q:.0f} MB, last quarter "
                  f"{sum(mid[-q:]) / q:.0f} MB, peak {max(m for _, m in samples):.0f} MB (flat = no growth)")


if __name__ == "__main__":
    main()
