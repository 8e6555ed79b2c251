"""Resonance-frequency recovery across the adult range, for each protocol, on synthetic recordings and on
the simulated strap (through the live pipeline: notification bytes, parser, beat clock, recorder).

Run: .venv/bin/python benchmarks/rf_recovery.py [--step 0.1] [--seeds 2]
Prints, per protocol and source: how many true rates were recovered within +/- 0.25 breaths/min, the
largest error, and how many runs gave no recommendation. Fine-tune is centred a quarter above the true
rate (its choices: true + 0.5, true + 0.25, true).
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


def synthetic(evs: list, rf: float, seed: int) -> Recording:
    sched = PacerSchedule(evs)
    dur = protocols.duration_s(evs)
    grid = np.arange(0, dur + 2, 1 / 20)
    t, rr = synthesize(dur, sched.rate_at(grid), physiology=Physiology(resonance_bpm=rf), seed=seed)
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--step", type=float, default=0.1)
    ap.add_argument("--seeds", type=int, default=2)
    ns = ap.parse_args()
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
