"""The trainer window: pacer beside live plots, big numbers, device panel, session controls; and the
same window in replay mode for clinicians. It renders snapshots and forwards intent; no metric code."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from vagal_coach.clock import mmss
from vagal_coach.gui.device_panel import DevicePanel
from vagal_coach.gui.pacer_widget import PacerWidget
from vagal_coach.gui.plots import LivePlots
from vagal_coach.gui.session_panel import PromptView, ReflectionPanel, SessionPanel
from vagal_coach.gui.theme import THEMES, Theme, stylesheet
from vagal_coach.session.engine import Snapshot
from vagal_coach.session.trainer import PacerSettings

DISCLAIMER = "Practice support, not a medical device: no figure here is a diagnosis."


def _set(label: QLabel, text: str) -> None:
    """Change a label only when its text changes (each change repaints and may relayout)."""
    if label.text() != text:
        label.setText(text)


def _fmt(v: float | None, f: str) -> str:
    return "—" if v is None or not math.isfinite(v) else f.format(v)


class BigNumbers(QWidget):
    ITEMS = (("hr", "heart rate", "bpm", "{:.0f}"), ("rmssd", "RMSSD (60 s)", "ms", "{:.0f}"),
             ("coherence", "coherence", "", "{:.1f}"), ("resonance", "resonance power", "ms²", "{:.0f}"),
             ("p2t", "peak-to-trough", "bpm", "{:.1f}"), ("time", "time", "", "{}"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QHBoxLayout(self)
        self.values: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        for key, _label, _unit, _ in self.ITEMS:
            box = QVBoxLayout()
            v = QLabel("—")
            v.setObjectName("big")
            v.setAlignment(Qt.AlignmentFlag.AlignCenter)
            # fixed size: a new value repaints the label only, never relayouts the window
            v.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            v.setMinimumWidth(120)
            cap = QLabel(self._caption(key))
            cap.setObjectName("bigunit")
            cap.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.addWidget(v)
            box.addWidget(cap)
            lay.addLayout(box)
            self.values[key] = v
            self.captions[key] = cap

    @classmethod
    def _caption(cls, key: str, provisional: bool = False) -> str:
        _, label, unit, _ = next(i for i in cls.ITEMS if i[0] == key)
        return f"{label}" + (f" ({unit})" if unit else "") + (" · provisional" if provisional else "")

    def show_snapshot(self, s: Snapshot | None, elapsed_s: float) -> None:
        fm = {k: f for k, _, _, f in self.ITEMS}
        if s is not None:
            _set(self.values["hr"], _fmt(s.hr_bpm, fm["hr"]))
            _set(self.values["rmssd"], _fmt(s.rmssd_ms, fm["rmssd"]))
            _set(self.values["coherence"], _fmt(s.coherence, fm["coherence"]))
            _set(self.values["resonance"], _fmt(s.resonance_ms2, fm["resonance"]))
            _set(self.values["p2t"], _fmt(s.peak_to_trough_bpm, fm["p2t"]))
            # shown from 60 s of beats, provisional until their 120 s window is full
            for key, v in (("coherence", s.coherence), ("resonance", s.resonance_ms2)):
                _set(self.captions[key], self._caption(key, math.isfinite(v) and s.spectral_provisional))
        _set(self.values["time"], mmss(elapsed_s))


class PacerControls(QGroupBox):
    changed = Signal(object)  # PacerSettings

    def __init__(self, settings: PacerSettings, parent: QWidget | None = None) -> None:
        super().__init__("Breathing pacer", parent)
        self.rate = QDoubleSpinBox(decimals=1, minimum=3.0, maximum=10.0, singleStep=0.1, suffix=" breaths/min")
        self.rate.setValue(settings.rate_bpm)
        self.inhale = QDoubleSpinBox(decimals=0, minimum=25, maximum=60, singleStep=5, suffix=" % inhale")
        self.inhale.setValue(100 * settings.inhale_fraction)
        self.hold_in = QDoubleSpinBox(decimals=1, minimum=0, maximum=5, singleStep=0.5, suffix=" s")
        self.hold_out = QDoubleSpinBox(decimals=1, minimum=0, maximum=5, singleStep=0.5, suffix=" s")
        self.ramp_from = QDoubleSpinBox(decimals=1, minimum=0, maximum=20, singleStep=0.5, suffix=" breaths/min")
        self.ramp_from.setSpecialValueText("no ramp")
        self.ramp_min = QDoubleSpinBox(decimals=1, minimum=0, maximum=20, singleStep=0.5, suffix=" min")
        self.no_pacer = QCheckBox("no pacer (breathe at your own rhythm)")
        self.hide_pacer = QCheckBox("hide the pacer")
        self.chime = QCheckBox("soft chime at each turn")
        self.chime.setToolTip("A gentle tone where the inhale and the exhale start, to follow with eyes closed")
        self.apply = QPushButton("Apply from the next breath")
        grid = QGridLayout(self)  # two columns: fits a laptop screen beside the pacer
        grid.setVerticalSpacing(4)
        for k, (label, w) in enumerate((("rate", self.rate), ("in : out", self.inhale),
                                        ("hold after inhale", self.hold_in), ("after exhale", self.hold_out),
                                        ("slow down from", self.ramp_from), ("over", self.ramp_min))):
            grid.addWidget(QLabel(label), k // 2, 2 * (k % 2))
            grid.addWidget(w, k // 2, 2 * (k % 2) + 1)
        grid.addWidget(self.no_pacer, 3, 0, 1, 2)
        grid.addWidget(self.hide_pacer, 3, 2, 1, 2)
        grid.addWidget(self.chime, 4, 0, 1, 2)
        grid.addWidget(self.apply, 4, 2, 1, 2)
        self.apply.clicked.connect(lambda: self.changed.emit(self.settings()))

    def settings(self) -> PacerSettings:
        return PacerSettings(rate_bpm=round(self.rate.value(), 1), inhale_fraction=self.inhale.value() / 100.0,
                             hold_in_s=self.hold_in.value(), hold_out_s=self.hold_out.value(),
                             ramp_from_bpm=self.ramp_from.value(), ramp_min=self.ramp_min.value(),
                             enabled=not self.no_pacer.isChecked())


class ReplayBar(QWidget):
    play_toggled = Signal(bool)
    seek_requested = Signal(float)
    speed_changed = Signal(float)
    marker_jump = Signal(float)

    def __init__(self, duration_s: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.duration_s = duration_s
        self.play = QPushButton("Play")
        self.play.setCheckable(True)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, max(1, int(duration_s)))
        self.speed = QComboBox()
        for s in (1, 2, 4, 8, 16):
            self.speed.addItem(f"{s}×", float(s))
        self.position = QLabel("0:00")
        self.markers = QListWidget()
        self.markers.setMaximumHeight(90)
        lay = QGridLayout(self)
        lay.addWidget(self.play, 0, 0)
        lay.addWidget(self.slider, 0, 1)
        lay.addWidget(self.position, 0, 2)
        lay.addWidget(self.speed, 0, 3)
        lay.addWidget(QLabel("markers (double-click to jump)"), 1, 0)
        lay.addWidget(self.markers, 1, 1, 1, 3)
        self.play.toggled.connect(self._toggled)
        self.slider.sliderReleased.connect(lambda: self.seek_requested.emit(float(self.slider.value())))
        self.speed.currentIndexChanged.connect(lambda _i: self.speed_changed.emit(self.speed.currentData()))
        self.markers.itemDoubleClicked.connect(
            lambda it: self.marker_jump.emit(float(it.data(Qt.ItemDataRole.UserRole))))

    def _toggled(self, on: bool) -> None:
        self.play.setText("Pause" if on else "Play")
        self.play_toggled.emit(on)

    def set_position(self, t_s: float) -> None:
        if not self.slider.isSliderDown():
            self.slider.setValue(int(t_s))
        self.position.setText(f"{mmss(t_s)} / {mmss(self.duration_s)}")

    def set_markers(self, markers: list[tuple[float, str]]) -> None:
        from PySide6.QtWidgets import QListWidgetItem

        self.markers.clear()
        for t, label in markers:
            it = QListWidgetItem(f"{mmss(t)}  {label}")
            it.setData(Qt.ItemDataRole.UserRole, t)
            self.markers.addItem(it)


class MainWindow(QMainWindow):
    start_requested = Signal()
    pause_requested = Signal(bool)
    stop_requested = Signal()
    marker_requested = Signal()
    export_requested = Signal(str)  # "pdf" | "rr" | "edf"

    def __init__(self, *, mode: str = "train", pacer: PacerSettings | None = None, theme: str = "dark",
                 scale: float = 1.0, clock=None, schedule=None, replay_duration_s: float = 0.0,
                 last_device: tuple[str, str] | None = None, profiles: list[str] | None = None,
                 profile: str = "default", scripts: list[tuple[str, str]] | None = None) -> None:
        super().__init__()
        self.mode = mode
        self.theme: Theme = THEMES[theme]
        self.scale = scale
        self.setWindowTitle("vagal-coach — soothing rhythm breathing" if mode == "train" else "vagal-coach — replay")
        self.resize(1280, 800)
        self.numbers = BigNumbers()
        self.pacer = PacerWidget(clock or (lambda: 0.0), schedule or (lambda: None), self.theme)
        self.plots = LivePlots(self.theme)
        self.pacer_controls = PacerControls(pacer or PacerSettings())
        self.pacer_controls.hide_pacer.toggled.connect(self._hide_pacer)
        self.device = DevicePanel(last_device)
        self.session_panel = SessionPanel(profiles or [], profile, scripts or [])
        self.prompt = PromptView()
        self.reflection = ReflectionPanel()
        self.baseline = QDoubleSpinBox(decimals=1, minimum=0, maximum=10, singleStep=0.5, suffix=" min baseline")
        self.start_btn = QPushButton("Start")
        self.pause_btn = QPushButton("Pause")
        self.pause_btn.setCheckable(True)
        self.stop_btn = QPushButton("Stop")
        self.marker_btn = QPushButton("Marker (M)")
        self.status = QLabel(DISCLAIMER)
        self.status.setObjectName("bigunit")
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        left = QVBoxLayout()
        if mode == "train":
            left.addWidget(self.device)  # always in view: contact, link and battery matter during a session
            self.session_panel.kind_changed.connect(lambda k: self.baseline.setEnabled(k == "practice"))
            self.setup = QTabWidget()
            self.session_panel.setTitle("")
            self.pacer_controls.setTitle("")
            self.setup.addTab(self.session_panel, "Session")
            self.setup.addTab(self.pacer_controls, "Breathing pacer")
            left.addWidget(self.setup)
        left.addWidget(self.pacer, 1)
        left.addWidget(self.prompt)  # a guided session's prompts, live or in replay
        if mode == "train":
            left.addWidget(self.reflection, 1)
            self.reflection.submitted.connect(lambda _v: self.show_reflection(False))
            self.reflection.skipped.connect(lambda: self.show_reflection(False))
        leftw = QWidget()
        leftw.setLayout(left)
        split = QSplitter()
        split.addWidget(leftw)
        split.addWidget(self.plots)
        split.setStretchFactor(1, 2)
        controls = QHBoxLayout()
        self.replay_bar: ReplayBar | None = None
        if mode == "train":
            for w in (self.baseline, self.start_btn, self.pause_btn, self.stop_btn, self.marker_btn):
                controls.addWidget(w)
        else:
            self.replay_bar = ReplayBar(replay_duration_s)
            controls.addWidget(self.replay_bar, 1)
            controls.addWidget(self.marker_btn)
            for kind, label in (("pdf", "PDF report"), ("rr", "Export RR"), ("edf", "Export EDF+")):
                b = QPushButton(label)
                b.clicked.connect(lambda _c=False, k=kind: self.export_requested.emit(k))
                controls.addWidget(b)
        controls.addStretch(1)
        central = QWidget()
        v = QVBoxLayout(central)
        v.addWidget(self.numbers)
        v.addWidget(split, 1)
        v.addLayout(controls)
        v.addWidget(self.status)
        self.setCentralWidget(central)
        self.start_btn.clicked.connect(self.start_requested.emit)
        self.pause_btn.toggled.connect(self.pause_requested.emit)
        self.stop_btn.clicked.connect(self.stop_requested.emit)
        self.marker_btn.clicked.connect(self.marker_requested.emit)
        self.pause_btn.setEnabled(False)
        self.stop_btn.setEnabled(False)
        self._shortcuts()
        self.apply_theme(theme, scale)

    def _shortcuts(self) -> None:
        def act(key: str, fn: Callable[[], object]) -> None:
            a = QAction(self)
            a.setShortcut(QKeySequence(key))
            a.triggered.connect(fn)
            self.addAction(a)

        act("M", self.marker_requested.emit)
        act("Space", lambda: self.pause_btn.toggle() if self.pause_btn.isEnabled() else None)
        act("Ctrl+Return", self.start_requested.emit)
        act("Ctrl+T", lambda: self.apply_theme("light" if self.theme.name == "dark" else "dark", self.scale))
        act("Ctrl++", lambda: self.apply_theme(self.theme.name, min(2.0, self.scale + 0.25)))
        act("Ctrl+-", lambda: self.apply_theme(self.theme.name, max(0.75, self.scale - 0.25)))
        act("F11", lambda: self.showNormal() if self.isFullScreen() else self.showFullScreen())

    def apply_theme(self, name: str, scale: float) -> None:
        self.theme = THEMES[name]
        self.scale = scale
        self.setStyleSheet(stylesheet(self.theme, scale))
        self.pacer.set_theme(self.theme)
        self.plots.set_theme(self.theme)

    def show_reflection(self, on: bool) -> None:
        """The closing reflection takes the pacer's place (the pacer has nothing to show then)."""
        self.reflection.setVisible(on)
        self.pacer.setVisible(not on)

    def _hide_pacer(self, on: bool) -> None:
        self.pacer.hidden_pacer = on

    def set_running(self, running: bool) -> None:
        self.start_btn.setEnabled(not running)
        self.pause_btn.setEnabled(running)
        self.stop_btn.setEnabled(running)
        self.device.setEnabled(not running)
        self.session_panel.setEnabled(not running)
        if running:
            self.show_reflection(False)
        if not running:
            self.prompt.show_prompt(None)
            self.prompt.show_phase(None)
