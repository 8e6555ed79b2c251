"""Every artifact kind, at any split, across heart rates, on real recordings (issue: trust at the edges).

Missed, extra and ectopic beats are injected into real ECG-derived R-R series (pyHRV's samples, see
recordings/LICENSE-pyhrv.txt) scaled to mean heart rates of 45-110 bpm. Each must be found and labelled
with its own kind (>= 95 % per kind), clean recordings must raise <= 1 % alarms, and after correction RMSSD
must be within 5 % of the clean recording's (corrected the same way, for its own few real ectopic beats).
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import RECORDINGS
from vagal_coach.hrv.artifacts import KINDS, correct_artifacts, detect_artifacts_lipponen
from vagal_coach.hrv.time_domain import time_domain
from vagal_coach.io import read_recording

HEART_RATES_BPM = (45, 55, 65, 75, 85, 95, 110)
SPLITS = (0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85)  # where an extra beat splits the interval
PREMATURITY = (0.6, 0.65, 0.7, 0.75, 0.8)  # premature interval / the interval it replaces


def inject(rr: np.ndarray, kind: str, frac: float, n: int, seed: int) -> tuple[np.ndarray, list[int]]:
    """``n`` artifacts of one kind at random sites at least 25 beats apart; their positions in the result."""
    rng = np.random.default_rng(seed)
    margin = min(60, rr.size // 6)
    sites = np.sort(rng.choice(np.arange(margin, rr.size - margin, 25), size=n, replace=False))
    out: list[float] = []
    where, last = [], 0
    for s in sites:
        out.extend(rr[last:s])
        where.append(len(out))
        if kind == "ectopic":  # premature beat, then the compensatory pause: the pair keeps its length
            short = frac * rr[s]
            out.extend([short, rr[s] + rr[s + 1] - short])
            last = s + 2
        elif kind == "missed":  # an undetected beat: two intervals merge
            out.append(rr[s] + rr[s + 1])
            last = s + 2
        else:  # a spurious beat splits one interval at ``frac``
            out.extend([frac * rr[s], (1 - frac) * rr[s]])
            last = s + 1
    out.extend(rr[last:])
    return np.asarray(out), where


@pytest.fixture(scope="module")
def real_series():
    return {name: np.loadtxt(RECORDINGS / name) for name in ("pyhrv-nn-1h.txt", "pyhrv-nn-5min.txt")}


def _at_rate(rr: np.ndarray, hr_bpm: float) -> np.ndarray:
    return rr * (60000.0 / hr_bpm) / rr.mean()


def sweep(series: dict[str, np.ndarray]) -> tuple[dict[str, list[int]], float, str]:
    """Inject every kind at every split/prematurity and heart rate; per kind [labelled, injected], the worst
    RMSSD error after correction against the clean recording's, and where it was."""
    score = {k: [0, 0] for k in ("extra", "missed", "ectopic")}
    worst, where_worst = 0.0, ""
    for name, base in series.items():
        n = 10 if base.size > 1000 else 3
        for hr in HEART_RATES_BPM:
            rr0 = _at_rate(base, hr)
            clean_rmssd = time_domain(correct_artifacts(rr0).rr_ms)["rmssd_ms"]
            for kind, fracs in (("extra", SPLITS), ("missed", (0.5, 0.5)), ("ectopic", PREMATURITY)):
                for j, f in enumerate(fracs):
                    rr, where = inject(rr0, kind, f, n, seed=hr * 100 + j)
                    lab = detect_artifacts_lipponen(rr)
                    code = 1 + KINDS.index(kind)
                    # an event is labelled where it happened: the first or second interval it touches
                    score[kind][0] += sum(bool(np.any(lab[max(0, p - 1):p + 2] == code)) for p in where)
                    score[kind][1] += len(where)
                    err = abs(time_domain(correct_artifacts(rr).rr_ms)["rmssd_ms"] / clean_rmssd - 1.0)
                    if err > worst:
                        worst, where_worst = err, f"{name} {hr} bpm {kind} {f:g}"
    return score, worst, where_worst


def test_each_kind_found_and_labelled_at_any_split_and_rate(real_series):
    score, worst, where = sweep(real_series)
    for kind, (hits, total) in score.items():
        assert hits / total >= 0.95, f"{kind}: {hits}/{total} labelled {kind}"
    assert worst <= 0.05, where


@pytest.mark.parametrize("name", ["pyhrv-nn-1h.txt", "pyhrv-nn-5min.txt", "synthetic-practice-6bpm.vcs.jsonl",
                                  "synthetic-stepped-rf-5.5bpm.csv"])
@pytest.mark.parametrize("hr", [45, 75, 110])
def test_clean_recordings_raise_at_most_one_percent_alarms(name, hr):
    rr = _at_rate(read_recording(RECORDINGS / name).rr_ms, hr)
    lab = detect_artifacts_lipponen(rr)
    assert np.count_nonzero(lab) / rr.size <= 0.01
