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

from tests.hrv.test_artifact_sweep import HEART_RATES_BPM, PREMATURITY, SPLITS, _at_rate, inject  # noqa: E402

from vagal_coach.hrv.artifacts import KINDS, correct_artifacts, detect_artifacts_lipponen  # noqa: E402
from vagal_coach.hrv.time_domain import time_domain  # noqa: E402
from vagal_coach.io import read_recording  # noqa: E402

REC = ROOT / "recordings"


def main() -> None:
    score = {k: [0, 0] for k in ("extra", "missed", "ectopic")}
    worst = (0.0, "")
    for name in ("pyhrv-nn-1h.txt", "pyhrv-nn-5min.txt"):
        base = np.loadtxt(REC / name)
        n = 10 if base.size > 1000 else 3
        for hr in HEART_RATES_BPM:
            rr0 = _at_rate(base, hr)
            clean = time_domain(correct_artifacts(rr0).rr_ms)["rmssd_ms"]
            for kind, fracs in (("extra", SPLITS), ("missed", (0.5, 0.5)), ("ectopic", PREMATURITY)):
                for j, f in enumerate(fracs):
                    rr, where = inject(rr0, kind, f, n, seed=hr * 100 + j)
                    lab = detect_artifacts_lipponen(rr)
                    code = 1 + KINDS.index(kind)
                    score[kind][0] += sum(bool(np.any(lab[max(0, p - 1):p + 2] == code)) for p in where)
                    score[kind][1] += len(where)
                    err = abs(time_domain(correct_artifacts(rr).rr_ms)["rmssd_ms"] / clean - 1)
                    if err > worst[0]:
                        worst = (err, f"{name} {hr} bpm {kind} {f:g}")
    for kind, (hits, total) in score.items():
        print(f"{kind:<8} labelled {hits}/{total} = {100 * hits / total:.1f} %")
    print(f"worst RMSSD after correction vs the clean recording's: {100 * worst[0]:.2f} % ({worst[1]})")
    for name in sorted(p.name for p in REC.iterdir() if p.suffix in (".txt", ".csv", ".jsonl")
                       and "report" not in p.name and "LICENSE" not in p.name):
        rr = read_recording(REC / name).rr_ms
        for hr in (45, 75, 110):
            lab = detect_artifacts_lipponen(_at_rate(rr, hr))
            print(f"clean {name} at {hr} bpm: {np.count_nonzero(lab)} of {rr.size} flagged "
                  f"({100 * np.count_nonzero(lab) / rr.size:.2f} %)")


if __name__ == "__main__":
    main()
