"""Screenshots of the window for the docs: the trainer on the simulated strap, and a replay.

Run under a real X server or Xvfb: ``xvfb-run -s "-screen 0 1400x900x24" .venv/bin/python scripts/screenshot.py``
(``make screenshot`` does the same with QT_QPA_PLATFORM as set). Writes docs/screenshot-*.png.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    os.environ.setdefault("VAGAL_COACH_HOME", tempfile.mkdtemp(prefix="vc-shot-"))
    import qasync
    from PySide6.QtWidgets import QApplication

    from vagal_coach.gui.app import ReplayController, TrainController

    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    out = ROOT / "docs"
    out.mkdir(exist_ok=True)
    async def scenario() -> None:  # one running loop throughout, as in the app
        ctrl = TrainController(simulate=True, speed=12.0)
        ctrl.quiet = True
        ctrl.window.resize(1400, 880)
        ctrl.window.baseline.setValue(1.0)
        ctrl.window.show()
        await asyncio.sleep(1.0)
        ctrl.window.grab().save(str(out / "screenshot-first-minute.png"))  # before Start: the first minute
        ctrl.window.start_btn.click()
        await asyncio.sleep(25.0)  # about 5 minutes of session
        ctrl.window.grab().save(str(out / "screenshot-trainer.png"))
        ctrl.window.apply_theme("light", 1.25)
        await asyncio.sleep(2.5)
        ctrl.window.grab().save(str(out / "screenshot-trainer-light.png"))
        ctrl.window.stop_btn.click()
        await asyncio.wait_for(ctrl.task, 10)
        ctrl.window.apply_theme("dark", 1.0)
        # a guided soothing-rhythm session, in its soothing phase
        ctrl.window.session_panel.select_kind("guided:soothing-rhythm.en")
        ctrl.window.session_panel.minutes.setValue(10)
        ctrl.window.start_btn.click()
        soothing = next(p for p in ctrl.guided.plan.phases if p.kind == "soothing")
        first = next(q for q in ctrl.guided.plan.prompts if q.phase == "soothing" and q.index > 0
                     and q.t_s > soothing.t0_s + 20)
        while ctrl.clock.now() < first.t_s + 2:
            await asyncio.sleep(0.2)
        ctrl.window.grab().save(str(out / "screenshot-guided.png"))
        ctrl.window.stop_btn.click()
        await asyncio.wait_for(ctrl.task, 10)
        ctrl.window.reflection.slider.setValue(7)
        await asyncio.sleep(0.3)
        ctrl.window.grab().save(str(out / "screenshot-reflection.png"))
        ctrl.window.reflection.save.click()
        # the resonance result, from the bundled stepped recording
        from vagal_coach.analysis.assessment import assess
        from vagal_coach.gui.resonance_view import ResonanceResult
        from vagal_coach.io import read_recording

        dlg = ResonanceResult(assess(read_recording(ROOT / "recordings" / "synthetic-stepped-rf-5.5bpm.csv")),
                              "default", ctrl.window)
        dlg.show()
        await asyncio.sleep(0.5)
        dlg.grab().save(str(out / "screenshot-resonance.png"))
        dlg.close()
        await ctrl.open_history()
        await asyncio.sleep(0.5)
        ctrl.history.grab().save(str(out / "screenshot-history.png"))
        ctrl.history.close()
        ctrl.window.close()
        rp = ReplayController(str(ROOT / "recordings" / "synthetic-practice-6bpm.vcs.jsonl"))
        rp.window.resize(1400, 880)
        rp.window.show()
        rp.seek(420.0)
        await asyncio.sleep(0.8)
        rp.window.grab().save(str(out / "screenshot-replay.png"))

    with loop:
        loop.run_until_complete(scenario())
    print("wrote", ", ".join(str(p) for p in sorted(out.glob("screenshot-*.png"))))


if __name__ == "__main__":
    main()
