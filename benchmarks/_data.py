"""Shared benchmark data: the real 1 h sample, and a 24 h day tiled from it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def rr_1h() -> np.ndarray:
    return np.loadtxt(ROOT / "recordings" / "pyhrv-nn-1h.txt")


def rr_24h(seed: int = 0) -> np.ndarray:
    """24 tiles of the 1 h sample with a slow (circadian-like) modulation and small jitter (~100k beats)."""
    base = rr_1h()
    rng = np.random.default_rng(seed)
    rr = np.tile(base, 24)
    t_h = np.cumsum(rr) / 3.6e6
    rr = rr * (1 + 0.08 * np.sin(2 * np.pi * t_h / 24)) + rng.normal(0, 4, rr.size)
    return rr
