"""Screenshots of the window for the docs: the trainer on the simulated strap, and a replay.

Run under a real X server or Xvfb: ``xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshot.py``
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
    from PySide6.QtCore import QRect

    screen = QRect(0, 0, 1366, 768)  # a common laptop screen

    def shot(w, name: str) -> None:
        w.grab().save(str(out / name))

    async def scenario() -> None:  # one running loop throughout, as in the app
        ctrl = TrainController(simulate=True, speed=12.0, theme="dark", scale=1.0)
        ctrl.quiet = True
        w = ctrl.window
        w.fit_to(screen)
        w.baseline.setValue(1.0)
        w.show()
        await asyncio.sleep(1.0)
        shot(w, "screenshot-first-minute.png")  # before Start: the first minute
        w.start_btn.click()
        await asyncio.sleep(12.0)
        ctrl.trainer.marker("client yawned", "note: turned the pacer's sound off, then on again; "
                            "breathing settled after this")
        await asyncio.sleep(13.0)  # about 5 minutes of session
        shot(w, "screenshot-trainer.png")
        w.apply_theme("light", 1.0)
        await asyncio.sleep(2.5)
        shot(w, "screenshot-trainer-light.png")
        w.apply_theme("light", 1.3)
        await asyncio.sleep(2.5)
        shot(w, "screenshot-trainer-light-large.png")
        w.apply_theme("dark", 1.3)
        await asyncio.sleep(2.5)
        shot(w, "screenshot-trainer-large.png")
        w.choose_compact(True)
        await asyncio.sleep(2.5)
        shot(w, "screenshot-compact.png")
        w.choose_compact(None)
        w.stop_btn.click()
        await asyncio.wait_for(ctrl.task, 10)
        await asyncio.sleep(0.5)
        w.apply_theme("dark", 1.0)
        shot(w, "screenshot-summary.png")  # after Stop: the tiles and the status line give the summary
        h10 = ctrl.last_path
        # a guided soothing-rhythm session, in its soothing phase
        w.session_panel.select_kind("guided:soothing-rhythm.en")
        w.session_panel.minutes.setValue(10)
        w.start_btn.click()
        soothing = next(p for p in ctrl.guided.plan.phases if p.kind == "soothing")
        first = next(q for q in ctrl.guided.plan.prompts if q.phase == "soothing" and q.index > 0
                     and q.t_s > soothing.t0_s + 20)
        while ctrl.clock.now() < first.t_s + 2:
            await asyncio.sleep(0.2)
        shot(w, "screenshot-guided.png")
        w.stop_btn.click()
        await asyncio.wait_for(ctrl.task, 10)
        w.reflection.slider.setValue(7)
        await asyncio.sleep(0.3)
        shot(w, "screenshot-reflection.png")
        w.reflection.save.click()
        # the resonance result, from the bundled stepped recording
        from vagal_coach.analysis.assessment import assess
        from vagal_coach.gui.resonance_view import ResonanceResult
        from vagal_coach.io import read_recording

        dlg = ResonanceResult(assess(read_recording(ROOT / "recordings" / "synthetic-stepped-rf-5.5bpm.csv")),
                              "default", w)
        dlg.show()
        await asyncio.sleep(0.5)
        shot(dlg, "screenshot-resonance.png")
        dlg.close()
        await ctrl.open_history()
        ctrl.history.fit_to(screen)
        await asyncio.sleep(0.8)
        shot(ctrl.history, "screenshot-history.png")
        ctrl.history.close()
        w.close()
        # the replay of the H10 session recorded above (ECG and ACC frames through the same pipeline)
        rp = ReplayController(str(h10))
        rp.window.fit_to(screen)
        rp.window.show()
        rp.seek(240.0)
        if rp.breath_task is not None:
            await rp.breath_task
        await asyncio.sleep(0.8)
        rp.redraw(force_spectrum=True)
        shot(rp.window, "screenshot-replay.png")
        rp.seek(rp.duration_s)
        await asyncio.sleep(0.5)
        shot(rp.window, "screenshot-replay-end.png")

    with loop:
        loop.run_until_complete(scenario())
    print("wrote", ", ".join(str(p) for p in sorted(out.glob("screenshot-*.png"))))


if __name__ == "__main__":
    main()
