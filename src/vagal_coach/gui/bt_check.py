"""Help > Bluetooth check: the checks of ``vagal-coach doctor`` (versions, the Bluetooth service and adapters,
the OS's permission hints, a scan for straps) in a small dialog, run in the window's event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMainWindow, QPlainTextEdit, QPushButton, QVBoxLayout

from vagal_coach.sensors import doctor

SCAN_S = 4.0


class BluetoothCheckDialog(QDialog):
    def __init__(self, adapter: Callable[[], str | None], parent: QMainWindow | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Bluetooth check")
        self.adapter = adapter
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setMinimumSize(560, 320)
        self.again = QPushButton("Check again")
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.addButton(self.again, QDialogButtonBox.ActionRole)
        buttons.rejected.connect(self.reject)
        self.again.clicked.connect(self.run)
        lay = QVBoxLayout(self)
        lay.addWidget(self.text)
        lay.addWidget(buttons)
        self.task: asyncio.Future | None = None
        self.checks: list[doctor.Check] = []

    def run(self) -> asyncio.Future:
        """Run the checks (a scan included) and show them as they end; returns the task."""
        self.again.setEnabled(False)
        self.text.setPlainText(f"checking (a {SCAN_S:.0f} s scan for straps included)…")

        async def go() -> None:
            try:
                self.checks = await doctor.run_checks(self.adapter(), SCAN_S)
                faults = sum(c.ok is False for c in self.checks)
                self.text.setPlainText("\n".join(c.line() for c in self.checks) + "\n\n"
                                       + (f"{faults} problem(s) found" if faults else "no problem found")
                                       + "\n(more: 'vagal-coach doctor --connect ADDRESS --bundle report.json')")
            except Exception as e:  # noqa: BLE001 - the dialog says it; the window goes on
                self.text.setPlainText(f"the check failed: {type(e).__name__}: {e}")
            finally:
                self.again.setEnabled(True)

        self.task = asyncio.ensure_future(go())
        return self.task


def install_help_menu(window: QMainWindow, adapter: Callable[[], str | None]) -> QAction:
    """Help > Bluetooth check… on ``window``'s menu bar; returns the action."""
    bar = window.menuBar()
    menu = next((a.menu() for a in bar.actions() if a.menu() is not None and a.text().replace("&", "") == "Help"),
                None)
    if menu is None:
        menu = bar.addMenu("&Help")
    action = menu.addAction("Bluetooth check…")
    state: dict = {}

    def open_dialog() -> None:
        dlg = state.get("dlg") or BluetoothCheckDialog(adapter, window)
        state["dlg"] = dlg
        dlg.show()
        dlg.run()

    action.triggered.connect(open_dialog)
    window.bt_check = state  # type: ignore[attr-defined]  # the dialog, once opened (tests look at it)
    return action
