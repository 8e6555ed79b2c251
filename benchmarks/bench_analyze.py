"""The whole `vagal-coach analyze` process on a 24 h recording: wall time and peak RSS.

Run: make bench. Writes the 24 h day (tiled from the 1 h sample) as RR text and as a native session
(one notification a beat) into a temporary folder, then runs the CLI as a fresh process on each.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import rr_24h  # noqa: E402
from _day_native import write_day_native  # noqa: E402


def run(cmd: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    s = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - s
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(after, before) / 1024.0


def main() -> None:
    rr = rr_24h()
    exe = str(Path(sys.executable).parent / "vagal-coach")
    with tempfile.TemporaryDirectory() as d:
        txt = Path(d) / "day.txt"
        np.savetxt(txt, rr, fmt="%.1f")
        nat = Path(d) / "day.vcs.jsonl"
        write_day_native(nat, rr)
        from vagal_coach.io import read_recording

        reads = []
        for _ in range(3):
            s = time.perf_counter()
            read_recording(nat)
            reads.append(time.perf_counter() - s)
        print(f"read 24 h native session ({rr.size} beats): {min(reads):.2f} s (best of 3) [target < 1 s]")
        for label, path in (("RR text", txt), ("native session", nat)):
            runs = [run([exe, "analyze", str(path), "--window", "300", "--json"]) for _ in range(3)]
            wall = min(w for w, _ in runs)
            rss = max(r for _, r in runs)
            print(f"analyze 24 h {label} ({rr.size} beats): wall {wall:.2f} s (best of 3), peak RSS {rss:.0f} MB "
                  "[target <= 1.5 s, <= 300 MB]")


if __name__ == "__main__":
    main()
