"""Every artifact kind at any split and heart rate: the figures behind tests/hrv/test_artifact_sweep.py.

Prints, per kind, how many injected artifacts were found and labelled with their kind, the alarms on
each clean recording, and the worst RMSSD error after correction. Usage::

    .venv/bin/python benchmarks/artifact_sweep.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hrv.test_artifact_sweep import _at_rate, sweep  # noqa: E402

from vagal_coach.hrv.artifacts import detect_artifacts_lipponen  # noqa: E402
from vagal_coach.io import read_recording  # noqa: E402

REC = ROOT / "recordings"


def main() -> None:
    score, worst, where = sweep({name: np.loadtxt(REC / name) for name in ("pyhrv-nn-1h.txt", "pyhrv-nn-5min.txt")})
    for kind, (hits, total) in score.items():
        print(f"{kind:<8} labelled {hits}/{total} = {100 * hits / total:.1f} %")
    print(f"worst RMSSD after correction vs the clean recording's: {100 * worst:.2f} % ({where})")
    for name in sorted(p.name for p in REC.iterdir() if p.suffix in (".txt", ".csv", ".jsonl")
                       and "report" not in p.name and "LICENSE" not in p.name):
        rr = read_recording(REC / name).rr_ms
        for hr in (45, 75, 110):
            lab = detect_artifacts_lipponen(_at_rate(rr, hr))
            print(f"clean {name} at {hr} bpm: {np.count_nonzero(lab)} of {rr.size} flagged "
                  f"({100 * np.count_nonzero(lab) / rr.size:.2f} %)")


if __name__ == "__main__":
    main()
