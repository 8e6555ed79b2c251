"""How the frequency-domain defaults compare with neurokit2's, measured on the 1 h sample.

Prints band powers (ms^2) and LF/HF for: vagal-coach's defaults (Kubios-style: smoothness priors
lambda 500, cubic spline to 4 Hz, Welch 256 s Hann segments with 50 % overlap); vagal-coach with each
setting moved towards neurokit2's; neurokit2's ``hrv_frequency`` at its defaults (100 Hz interpolation,
PSD normalised by its maximum, Welch segments it picks as 2 cycles of 0.0033 Hz = 606 s) and at matched
settings (4 Hz, ``normalize=False``). Usage: ``.venv/bin/python benchmarks/compare_methods.py``.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import ROOT  # noqa: E402

from vagal_coach.analysis import AnalysisSettings, analyze  # noqa: E402
from vagal_coach.io import read_recording  # noqa: E402

KEYS = ("vlf_ms2", "lf_ms2", "hf_ms2", "lf_hf")


def ours(rec, **kw) -> dict[str, float]:
    m = analyze(rec, AnalysisSettings(artifacts="none", **kw)).metrics
    return {k: float(m[k]) for k in KEYS}


def neurokit(rr_ms: np.ndarray, **kw) -> dict[str, float]:
    import neurokit2 as nk

    peaks = np.concatenate(([0.0], np.cumsum(rr_ms))).round().astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        d = nk.hrv_frequency(peaks, sampling_rate=1000, **kw)
    return {"vlf_ms2": float(d["HRV_VLF"].iloc[0]), "lf_ms2": float(d["HRV_LF"].iloc[0]),
            "hf_ms2": float(d["HRV_HF"].iloc[0]), "lf_hf": float(d["HRV_LFHF"].iloc[0])}


def main() -> None:
    rec = read_recording(ROOT / "recordings" / "pyhrv-nn-1h.txt")
    rows = [
        ("vagal-coach defaults (Kubios-style)", ours(rec)),
        ("  detrend none", ours(rec, detrend="none")),
        ("  detrend none, Welch 606 s", ours(rec, detrend="none", welch_window_s=606.0)),
        ("  Lomb-Scargle", ours(rec, psd_method="lomb")),
        ("neurokit2 defaults (100 Hz, normalised)", neurokit(rec.rr_ms)),
        ("neurokit2 4 Hz, normalize=False", neurokit(rec.rr_ms, interpolation_rate=4, normalize=False)),
    ]
    ref = rows[0][1]
    print(f"{'pyhrv-nn-1h.txt':<42} {'VLF ms²':>10} {'LF ms²':>10} {'HF ms²':>10} {'LF/HF':>7}  LF/HF vs ours")
    for name, r in rows:
        print(f"{name:<42} {r['vlf_ms2']:>10.4g} {r['lf_ms2']:>10.4g} {r['hf_ms2']:>10.4g} {r['lf_hf']:>7.3f}"
              f"  {100 * (r['lf_hf'] / ref['lf_hf'] - 1):+6.1f} %")


if __name__ == "__main__":
    main()
