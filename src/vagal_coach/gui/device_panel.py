"""Device panel: scan, pick a strap (the last one first), connect; battery, contact, link, quality; with a
Polar H10's raw streams, where the beats come from (its ECG or its own RR) and how the two agree, and the
breathing the chest accelerometer sees."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from vagal_coach.sensors.simulated import SIMULATED_ADDRESS, SIMULATED_NAME

CONTACT_TEXT = {"contact": "skin contact ✓", "no_contact": "NO SKIN CONTACT: wet the electrodes",
                "unsupported": "contact not reported by this strap", "unknown": "—"}
LINK_TEXT = {"idle": "not connected", "connecting": "connecting…", "connected": "connected",
             "reconnecting": "link lost — reconnecting automatically…", "lost": "link lost — searching for the strap…",
             "closed": "ended", "scanning": "scanning…", "failed": "failed"}


class DevicePanel(QGroupBox):
    scan_requested = Signal()
    connect_requested = Signal(str, str)  # address, name

    def __init__(self, last_device: tuple[str, str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__("Strap", parent)
        from vagal_coach.gui.session_panel import narrow_combo

        self.combo = QComboBox()
        narrow_combo(self.combo, 14)
        self.scan_btn = QPushButton("Scan")
        self.connect_btn = QPushButton("Connect")
        self.sim_label = QLabel("")
        self.sim_label.setObjectName("simulated")
        self.sim_label.setWordWrap(True)
        self.link = QLabel(LINK_TEXT["idle"])
        self.battery = QLabel("battery —")
        self.contact = QLabel(CONTACT_TEXT["unknown"])
        self.quality = QLabel("signal quality —")
        self.rr_source = QLabel("")  # raw ECG only: where the beats come from, and agreement with the strap's
        self.breath = QLabel("")  # raw ACC only: breathing rate and how the breaths follow the pacer
        for lab in (self.link, self.battery, self.contact, self.quality, self.sim_label, self.rr_source,
                    self.breath):
            lab.setWordWrap(True)  # in full in a narrow panel: a long line wraps
        top = QHBoxLayout()  # the strap's name on its own line, in full; the buttons under it
        top.addStretch(1)
        top.addWidget(self.scan_btn)
        top.addWidget(self.connect_btn)
        grid = QGridLayout()
        grid.addWidget(self.link, 0, 0)
        grid.addWidget(self.battery, 0, 1)
        grid.addWidget(self.contact, 1, 0)
        grid.addWidget(self.quality, 1, 1)
        grid.addWidget(self.rr_source, 2, 0, 1, 2)
        grid.addWidget(self.breath, 3, 0, 1, 2)
        self.rr_source.hide()
        self.breath.hide()
        lay = QVBoxLayout(self)
        lay.addWidget(self.combo)
        lay.addLayout(top)
        lay.addWidget(self.sim_label)
        lay.addLayout(grid)
        self.combo.currentIndexChanged.connect(lambda _i: self._selection_changed())
        self.scan_btn.clicked.connect(self.scan_requested.emit)
        self.connect_btn.clicked.connect(self._connect)
        self.set_devices([], last_device)

    def set_devices(self, found: list[tuple[str, str, int | None]], last: tuple[str, str] | None = None) -> None:
        """(name, address, rssi) of straps in range; the last used strap first; the simulator always last."""
        self.combo.clear()
        seen = set()
        if last and last[0] != SIMULATED_ADDRESS:
            rssi = next((r for n, a, r in found if a == last[0]), None)
            label = f"{last[1]} ({last[0]})" + (f" {rssi} dBm" if rssi is not None else " — last used")
            self.combo.addItem(label, (last[0], last[1]))
            seen.add(last[0])
        for name, addr, rssi in found:
            if addr in seen:
                continue
            self.combo.addItem(f"{name} ({addr}) {rssi if rssi is not None else '?'} dBm", (addr, name))
        self.combo.addItem(f"⚠ {SIMULATED_NAME}", (SIMULATED_ADDRESS, SIMULATED_NAME))
        if not found and not (last and last[0] != SIMULATED_ADDRESS):
            self.combo.setCurrentIndex(self.combo.count() - 1)

    def simulated_only(self) -> bool:
        """The simulated strap is the one choice (no real strap found or offered)."""
        return self.combo.count() == 1 and self.combo.itemData(0)[0] == SIMULATED_ADDRESS

    def show_simulated_ready(self) -> None:
        """The simulated strap selected and ready: nothing to connect, Start is the one step left."""
        self.combo.setCurrentIndex(self.combo.count() - 1)
        self.connect_btn.setEnabled(False)
        self.connect_btn.setText("Connected")
        _set_text(self.link, "simulated strap connected — press Start")
        _set_text(self.sim_label, "SIMULATED STRAP — not a real sensor; figures are a demonstration")

    def _selection_changed(self) -> None:
        data = self.combo.currentData()
        simulated_ready = self.connect_btn.text() == "Connected"
        if simulated_ready and data and data[0] != SIMULATED_ADDRESS:
            self.connect_btn.setEnabled(True)
            self.connect_btn.setText("Connect")
            _set_text(self.link, LINK_TEXT["idle"])
            _set_text(self.sim_label, "")

    def _connect(self) -> None:
        addr, name = self.combo.currentData()
        self.connect_requested.emit(addr, name)

    def show_status(self, link: str, battery: int | None, contact: str, quality: float | None,
                    simulated: bool, warning: str = "") -> None:
        """``warning``: a plain word on the sensor itself (an optical sensor's RR is unfit for RMSSD)."""
        texts = ((self.link, LINK_TEXT.get(link, link)),
                 (self.battery, f"battery {battery}%" if battery is not None else "battery —"),
                 (self.contact, CONTACT_TEXT.get(contact, contact)),
                 (self.quality, f"signal quality {quality:.0f} %" if quality is not None else "signal quality —"),
                 (self.sim_label, "SIMULATED STRAP — not a real sensor; figures are a demonstration"
                  if simulated else f"⚠ {warning}" if warning else ""))
        for label, text in texts:
            _set_text(label, text)

    def show_raw(self, rr_text: str, breath_text: str) -> None:
        """The raw-stream lines (``raw_status_texts``); empty text hides a line (straps without ECG or ACC)."""
        for label, text in ((self.rr_source, rr_text), (self.breath, breath_text)):
            _set_text(label, text)
            if label.isHidden() == bool(text):  # shown or hidden only on a change: no relayout per tick
                label.setVisible(bool(text))


def _set_text(label: QLabel, text: str) -> None:
    if label.text() != text:  # an unchanged label is not repainted
        label.setText(text)
