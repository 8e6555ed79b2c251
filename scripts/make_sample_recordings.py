"""Make the synthetic sample recordings in recordings/ (deterministic: fixed seeds).

Run: make samples   (or .venv/bin/python scripts/make_sample_recordings.py [--out DIR])
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from vagal_coach.io import PacerEvent, Recording, write_recording
from vagal_coach.synth import Physiology, synthesize

ROOT = Path(__file__).resolve().parents[1]


def paced_practice(out: Path) -> None:
    """10 minutes: 2 min unpaced rest, then soothing rhythm breathing at 6 breaths/min (native)."""
    grid_hz = 20.0
    t = np.arange(0, 600 + 2, 1 / grid_hz)
    phys = Physiology(hr_bpm=68, resonance_bpm=5.8)
    t_rest, rr_rest = synthesize(120, None, physiology=phys, seed=11)
    rate = np.full(t.size, 6.0)
    t_p, rr_p = synthesize(480, rate, physiology=phys, seed=12)
    bt = np.concatenate((t_rest, t_p + t_rest[-1]))
    rr = np.concatenate((rr_rest, rr_p))
    rec = Recording(rr_ms=rr, beat_t_s=bt, device={"name": "vagal-coach simulated strap (synthetic)"},
                    kind="practice", start_utc="2026-11-01T09:00:00+00:00",
                    pacer=[PacerEvent(0.0, 0.0, label="baseline"), PacerEvent(float(t_rest[-1]), 6.0)])
    write_recording(rec, out)


def stepped_resonance(out: Path, resonance_bpm: float = 5.5) -> None:
    """Stepped RF protocol, 6.5 to 4.5 breaths/min, 2.5 min each, known RF (CSV with pacer_bpm)."""
    rates = [6.5, 6.0, 5.5, 5.0, 4.5]
    step_s = 150.0
    grid_hz = 20.0
    dur = step_s * len(rates)
    t = np.arange(0, dur + 2, 1 / grid_hz)
    rate = np.array(rates)[np.minimum((t // step_s).astype(int), len(rates) - 1)]
    bt, rr = synthesize(dur, rate, physiology=Physiology(resonance_bpm=resonance_bpm), seed=21, grid_hz=grid_hz)
    pac = np.array(rates)[np.minimum((bt // step_s).astype(int), len(rates) - 1)]
    with open(out, "x") as f:
        f.write("time_s,rr_ms,pacer_bpm\n")
        np.savetxt(f, np.column_stack((bt, rr, pac)), fmt=["%.4f", "%.3f", "%.2f"], delimiter=",")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=ROOT / "recordings")
    ns = ap.parse_args()
    ns.out.mkdir(parents=True, exist_ok=True)
    for name, fn in (("synthetic-practice-6bpm.vcs.jsonl", paced_practice),
                     ("synthetic-stepped-rf-5.5bpm.csv", stepped_resonance)):
        path = ns.out / name
        if path.exists():
            print(f"exists, kept: {path}")
            continue
        fn(path)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
