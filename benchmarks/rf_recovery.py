"""Resonance-frequency recovery across the adult range, for each protocol, on synthetic recordings and on
the simulated strap (through the live pipeline: notification bytes, parser, beat clock, recorder).

Run: .venv/bin/python benchmarks/rf_recovery.py [--step 0.1] [--seeds 2]
Prints, per protocol and source: how many true rates were recovered within +/- 0.25 breaths/min, the
largest error, and how many runs gave no recommendation. Fine-tune is centred a quarter above the true
rate (its choices: true + 0.5, true + 0.25, true).

Calibration: ``--calibration N [--seed0 S] [--raw]`` runs N synthetic people per protocol (stepped, sliding)
of varied difficulty (true RF 4.5-6.5, beat noise 4-40 ms, RSA 3-14 bpm, damping 0.15-0.6, drift 1-6 bpm)
and prints, per band of reported confidence, how often the recommended rate was within ±0.25
breaths/min: a calibrated 80 % is right about 80 % of the time. ``--raw`` scores the uncalibrated
confidence and fits the logistic map from it to the share right, whose two numbers
``vagal_coach.analysis.assessment.CALIBRATION`` holds (fitted with ``--calibration 300 --seed0 0 --raw``;
check it on other people with ``--seed0 10000``).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import tempfile
from pathlib import Path

import numpy as np

from vagal_coach.analysis.assessment import assess
from vagal_coach.clock import Clock
from vagal_coach.io import Recording, read_recording
from vagal_coach.model.pacer import PacerSchedule
from vagal_coach.sensors.simulated import SimulatedStrap
from vagal_coach.session import protocols
from vagal_coach.session.engine import LiveEngine
from vagal_coach.session.recorder import Recorder
from vagal_coach.session.runner import Session
from vagal_coach.synth import Physiology, synthesize


def events_for(protocol: str, rf: float) -> list:
    if protocol == "stepped":
        return protocols.stepped()
    if protocol == "sliding":
        return protocols.sliding()
    return protocols.fine_tune(round(rf + 0.25, 2))


def synthetic(evs: list, rf: float, seed: int, physiology: Physiology | None = None) -> Recording:
    sched = PacerSchedule(evs)
    dur = protocols.duration_s(evs)
    grid = np.arange(0, dur + 2, 1 / 20)
    t, rr = synthesize(dur, sched.rate_at(grid), physiology=physiology or Physiology(resonance_bpm=rf), seed=seed)
    return Recording(rr_ms=rr, beat_t_s=t, pacer=list(evs))


def simulated(evs: list, rf: float, seed: int, folder: Path) -> Recording:
    sched = PacerSchedule(evs)
    clock = Clock(math.inf)
    dur = protocols.duration_s(evs) + 2.0
    out = folder / f"sim-{rf:.2f}-{seed}-{len(evs)}.vcs.jsonl"
    rec = Recorder(out, kind="rf", device={"simulated": True}, source="simulated")
    sess = Session(SimulatedStrap(clock, Physiology(resonance_bpm=rf), schedule=lambda: sched, seed=seed,
                                  duration_s=dur), LiveEngine(sched), rec, clock)
    sess.set_pacer(sched, evs)
    asyncio.run(sess.run(dur))
    return read_recording(out)


def logistic(x: np.ndarray, y: np.ndarray, iters: int = 50) -> tuple[float, float]:
    """(a, b) of P(right) = 1 / (1 + exp(-(a + b x))), by maximum likelihood (Newton's method)."""
    X = np.column_stack([np.ones_like(x), x])
    w = np.zeros(2)
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-X @ w))
        g = X.T @ (y - p)
        h = X.T @ (X * (p * (1 - p))[:, None]) + 1e-9 * np.eye(2)
        step = np.linalg.solve(h, g)
        w += step
        if np.max(np.abs(step)) < 1e-10:
            break
    return float(w[0]), float(w[1])


def calibration(n: int, seed0: int, raw: bool) -> None:
    rng = np.random.default_rng(seed0)
    for protocol in ("stepped", "sliding"):
        conf, hit, none = [], [], 0
        for k in range(n):
            rf = float(rng.uniform(4.5, 6.5))
            phys = Physiology(resonance_bpm=rf, noise_ms=float(rng.uniform(4, 40)),
                              rsa_bpm_at_resonance=float(rng.uniform(3, 14)), damping=float(rng.uniform(0.15, 0.6)),
                              drift_bpm=float(rng.uniform(1, 6)))
            r = assess(synthetic(events_for(protocol, rf), rf, seed0 + k, phys), calibrated=not raw)
            if r.recommended_bpm is None:
                none += 1
                continue
            conf.append(r.confidence)
            hit.append(abs(r.recommended_bpm - rf) <= 0.25 + 1e-9)
        c, h = np.array(conf), np.array(hit)
        print(f"{protocol}: {n} people (seeds from {seed0}), {'raw' if raw else 'calibrated'} confidence; "
              f"{none} without a recommendation; right (±0.25) {h.mean():.0%} of {h.size}", flush=True)
        for lo, hi in ((0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1.01)):
            sel = (c >= lo) & (c < hi)
            if sel.any():
                print(f"  reported {100 * lo:3.0f}-{min(100, 100 * hi):3.0f} %: {sel.sum():4d} runs, mean reported "
                      f"{c[sel].mean():.0%}, right {h[sel].mean():.0%}", flush=True)
        if raw:
            a, b = logistic(c, h.astype(float))
            print(f"  logistic calibration {protocol}: P(right) = 1 / (1 + exp(-({a:.3f} + {b:.3f} * raw)))")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--step", type=float, default=0.1)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--calibration", type=int, default=0, metavar="N")
    ap.add_argument("--seed0", type=int, default=0)
    ap.add_argument("--raw", action="store_true")
    ns = ap.parse_args()
    if ns.calibration:
        calibration(ns.calibration, ns.seed0, ns.raw)
        return
    rfs = np.round(np.arange(4.5, 6.5 + 1e-9, ns.step), 2)
    with tempfile.TemporaryDirectory() as d:
        for protocol in ("stepped", "sliding", "fine-tune"):
            for source in ("synthetic", "simulated strap"):
                errs, none = [], 0
                for rf in rfs:
                    for seed in range(ns.seeds):
                        evs = events_for(protocol, float(rf))
                        rec = synthetic(evs, float(rf), 100 + seed) if source == "synthetic" else \
                            simulated(evs, float(rf), 200 + seed, Path(d))
                        r = assess(rec)
                        if r.recommended_bpm is None:
                            none += 1
                        else:
                            errs.append(abs(r.recommended_bpm - rf))
                e = np.array(errs)
                ok = int(np.sum(e <= 0.25 + 1e-9))
                print(f"{protocol:<9} {source:<15} true RF {rfs[0]:g}-{rfs[-1]:g} step {ns.step:g}, {ns.seeds} "
                      f"seed(s): {ok}/{len(rfs) * ns.seeds} within ±0.25, max error {e.max():.2f}, "
                      f"median {np.median(e):.2f}, no recommendation {none}", flush=True)


if __name__ == "__main__":
    main()
