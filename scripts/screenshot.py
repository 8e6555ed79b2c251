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
        ctrl.window.start_btn.click()
        await asyncio.sleep(25.0)  # about 5 minutes of session
        ctrl.window.grab().save(str(out / "screenshot-trainer.png"))
        ctrl.window.apply_theme("light", 1.25)
        await asyncio.sleep(2.5)
        ctrl.window.grab().save(str(out / "screenshot-trainer-light.png"))
        ctrl.window.stop_btn.click()
        await asyncio.wait_for(ctrl.task, 10)
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
