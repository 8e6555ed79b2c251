from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parents[1]
RECORDINGS = ROOT / "recordings"


@pytest.fixture(scope="session")
def rr_5min() -> np.ndarray:
    return np.loadtxt(RECORDINGS / "pyhrv-nn-5min.txt")


@pytest.fixture(scope="session")
def rr_1h() -> np.ndarray:
    return np.loadtxt(RECORDINGS / "pyhrv-nn-1h.txt")


def sine_rr(duration_s: float, freq_hz: float, amp_ms: float, mean_ms: float = 1000.0,
            extra: list[tuple[float, float]] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Beats whose RR follows mean + amp sin(2 pi f t) of the previous beat's time (exact sampling)."""
    t = [0.0]
    rr = []
    comps = [(freq_hz, amp_ms)] + list(extra or [])
    while t[-1] < duration_s:
        x = mean_ms + sum(a * np.sin(2 * np.pi * f * t[-1]) for f, a in comps)
        rr.append(x)
        t.append(t[-1] + x / 1000.0)
    return np.array(t[1:]), np.array(rr)


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(capsys):
    """``vagal-coach ARGS...`` in this process: ``vagal_coach.cli.main`` with its output captured, what a
    subprocess would give without a new interpreter's start-up. (Signals, crashes and the real entry point
    are tested with subprocesses.)"""
    from vagal_coach.cli import main

    def run(*args: object) -> CliResult:
        capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as e:  # argparse's usage errors
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        out, err = capsys.readouterr()
        return CliResult(int(code), out, err)

    return run
