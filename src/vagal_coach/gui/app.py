"""Composition root: the trainer or the replay window in Qt's event loop (bleak runs in it through qasync:
PySide6.QtAsyncio lacks what bleak's BlueZ backend needs). The jobs live in their modules: ``train`` (a
session), ``replay``, ``history``, ``resonance``, ``settings`` (the settings file) and ``work`` (background
work in a worker process, plain data in and out)."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from typing import Any

from PySide6.QtWidgets import QApplication

from vagal_coach.gui.replay import ReplayController, breath_line
from vagal_coach.gui.settings import load_settings, save_settings, settings_path, update_settings
from vagal_coach.gui.train import TrainController

__all__ = ["ReplayController", "TrainController", "breath_line", "load_settings", "run_gui", "save_settings",
           "settings_path", "update_settings"]


def run_gui(ns: Any) -> int:
    import qasync

    if getattr(ns, "lsl", False):
        from vagal_coach.session.lsl import _pylsl

        _pylsl()  # say now, in one line, when pylsl is missing

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("vagal-coach")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        if getattr(ns, "command", None) == "replay":
            # a damaged recording raises here, before any window: the CLI says it in one line (exit 2)
            ctrl: Any = ReplayController(ns.file)
        else:
            ctrl = TrainController(simulate=getattr(ns, "simulate", False), device=getattr(ns, "device", None),
                                   adapter=getattr(ns, "adapter", None), profile=getattr(ns, "profile", "default"),
                                   rate_bpm=getattr(ns, "rate", None), lsl=getattr(ns, "lsl", False),
                                   lsl_device_id=getattr(ns, "lsl_device_id", False))
    except BaseException:
        loop.close()
        asyncio.set_event_loop(None)
        raise
    ctrl.window.show()
    from vagal_coach.gui import work

    work.warm()
    closed = loop.create_future()
    app.aboutToQuit.connect(lambda: closed.done() or closed.set_result(None))
    if isinstance(ctrl, TrainController) and not ctrl.simulate and not ctrl.preset_device:
        loop.call_soon(lambda: asyncio.ensure_future(ctrl.scan()))
    with loop:
        loop.run_until_complete(closed)
        if isinstance(ctrl, TrainController) and ctrl.trainer is not None:
            ctrl.trainer.stop()
            if ctrl.task is not None:
                with contextlib.suppress(Exception):
                    loop.run_until_complete(asyncio.wait_for(ctrl.task, 5))
    work.shutdown()
    return 0

