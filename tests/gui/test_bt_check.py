"""Help > Bluetooth check in the window: the doctor's checks in a dialog, run in the window's loop; and the
device panel's plain word on an optical sensor and on raw streams that are starting or an axis stuck."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")
qasync = pytest.importorskip("qasync")

from tests.gui.test_window import home, loop, until  # noqa: E402,F401 - fixtures
from vagal_coach.gui.app import TrainController  # noqa: E402


def test_help_bluetooth_check_shows_the_doctors_checks(qtbot, loop, home, monkeypatch, tmp_path):  # noqa: F811
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")  # a computer without D-Bus
    ctrl = TrainController(simulate=True, speed=30.0)
    w = ctrl.window
    qtbot.addWidget(w)
    bar = w.menuBar()
    help_menu = next(a.menu() for a in bar.actions() if a.text().replace("&", "") == "Help")
    action = next(a for a in help_menu.actions() if a.text().startswith("Bluetooth check"))

    async def scenario() -> None:
        action.trigger()
        dlg = w.bt_check["dlg"]
        await until(lambda: dlg.task is not None and dlg.task.done(), 60.0)
        text = dlg.text.toPlainText()
        assert "[FAIL] D-Bus: the system D-Bus cannot be reached" in text and "] Python:" in text
        assert "1 problem(s) found" in text and dlg.again.isEnabled()

    loop.run_until_complete(scenario())


def test_device_panel_names_an_optical_sensor(qtbot):
    from vagal_coach.gui.device_panel import DevicePanel
    from vagal_coach.sensors.optical import WARNING
    from vagal_coach.session.raw import raw_status_texts

    p = DevicePanel()
    qtbot.addWidget(p)
    p.show_status("connected", 50, "contact", 90.0, False, WARNING)
    assert "RMSSD" in p.sim_label.text() and "unreliable" in p.sim_label.text()
    rr, br = raw_status_texts(True, True, "strap", (float("nan"),) * 2, float("nan"), float("nan"), float("nan"),
                              False, ("ecg", "acc"))
    assert rr.startswith("ECG starting (an H10 can take up to 30 s)") and "starting" in br
    p.show_raw(rr, br)
    assert "ECG starting" in p.rr_source.text()
    _, br = raw_status_texts(False, True, "strap", (float("nan"),) * 2, 6.1, float("nan"), float("nan"), False,
                             (), (False, True, False))
    assert br == "breathing 6.1 /min · ACC axis y stuck: breathing from x, z"
