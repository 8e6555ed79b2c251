"""The trainer on the simulated strap: CPU, memory and pacer frame gaps, as a user runs it.

Run under a display or Xvfb:  xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python benchmarks/bench_gui.py
Part 1: 2 minutes in real time: CPU % of one core, peak RSS, and the largest gap between pacer frames; with
the simulated strap's raw ECG (130 Hz) and ACC (25 Hz) streams on (a Polar H10's), then with heart rate only.
Part 2: an accelerated session (30x for 2 minutes = 1 hour of session): RSS over time stays flat.
Targets: <= 15 % of one core, <= 300 MB RSS, no pacer frame gap over 50 ms, RSS flat.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time

import numpy as np
import psutil


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=120.0)
    ap.add_argument("--long-speed", type=float, default=30.0)
    ns = ap.parse_args()
    os.environ.setdefault("VAGAL_COACH_HOME", tempfile.mkdtemp(prefix="vc-bench-"))
    import qasync
    from PySide6.QtWidgets import QApplication

    from vagal_coach.gui.app import TrainController

    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    proc = psutil.Process()

    async def run(speed: float, seconds: float, raw: bool = True) -> dict:
        ctrl = TrainController(simulate=True, speed=speed, sim_raw=raw)
        ctrl.quiet = True
        ctrl.window.resize(1280, 800)
        ctrl.window.show()
        ctrl.window.start_btn.click()
        await asyncio.sleep(5.0)  # warm-up: first spectra, imports
        ctrl.window.pacer.frame_times.clear()
        ctrl.window.pacer.record_frames = True
        c0 = proc.cpu_times()
        t0 = time.perf_counter()
        rss = []
        while time.perf_counter() - t0 < seconds:
            await asyncio.sleep(1.0)
            rss.append(proc.memory_info().rss / 2**20)
        wall = time.perf_counter() - t0
        c1 = proc.cpu_times()
        ft = np.diff(np.array(ctrl.window.pacer.frame_times))
        ctrl.window.stop_btn.click()
        await asyncio.wait_for(ctrl.task, 10)
        ctrl.window.close()
        return {"cpu_pct": 100 * ((c1.user - c0.user) + (c1.system - c0.system)) / wall, "rss": rss,
                "frames": ft, "beats": ctrl.window.plots.series.size, "session_s": ctrl.clock.now()}

    async def scenario() -> None:
        for raw, what in ((True, "with raw ECG + ACC streams (H10)"), (False, "heart rate only")):
            r = await run(1.0, ns.seconds, raw)
            ft = r["frames"]
            print(f"trainer, simulated strap {what}, {ns.seconds:.0f} s real time ({r['beats']} beats):")
            print(f"  CPU {r['cpu_pct']:.1f} % of one core [target <= 15 %]; peak RSS {max(r['rss']):.0f} MB "
                  "[target <= 300 MB]")
            print(f"  pacer: {ft.size + 1} frames, {1 / np.median(ft):.1f} fps median, "
                  f"largest gap {1000 * ft.max():.1f} ms, "
                  f"p99 {1000 * np.percentile(ft, 99):.1f} ms [target: no gap > 50 ms]")
        if ns.long_speed <= 0:
            return
        r = await run(ns.long_speed, ns.seconds)
        q = max(1, len(r["rss"]) // 4)
        print(f"accelerated {ns.long_speed:g}x for {ns.seconds:.0f} s = {r['session_s'] / 60:.0f} min of session "
              f"({r['beats']} beats): RSS first quarter {np.mean(r['rss'][:q]):.0f} MB, last quarter "
              f"{np.mean(r['rss'][-q:]):.0f} MB (flat = no growth); CPU {r['cpu_pct']:.1f} %")

    with loop:
        loop.run_until_complete(scenario())


if __name__ == "__main__":
    main()
