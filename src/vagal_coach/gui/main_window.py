"""The trainer window: pacer beside live plots, big numbers, device panel, session controls; and the
same window in replay mode for clinicians. It renders snapshots and forwards intent; no metric code."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMenu,
    QPushButton,
    QScrollArea,
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
from vagal_coach.gui.theme import THEMES, Theme, apply_to_app, text_step
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
    """The figures at the top: equal, fixed-width tiles (a changing value or caption never moves another)."""

    ITEMS = (("hr", "heart rate", "bpm", "{:.0f}"), ("rmssd", "RMSSD, 60 s", "ms", "{:.0f}"),
             ("coherence", "coherence", "", "{:.1f}"), ("resonance", "resonance power", "ms²", "{:.0f}"),
             ("p2t", "peak-to-trough", "bpm", "{:.1f}"), ("time", "time", "", "{}"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QGridLayout(self)
        lay.setContentsMargins(4, 0, 4, 0)
        lay.setVerticalSpacing(0)
        self.values: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        self.provisional: dict[str, QLabel] = {}
        for k, (key, _label, _unit, _) in enumerate(self.ITEMS):
            v = QLabel("—")
            v.setObjectName("big")
            v.setAlignment(Qt.AlignmentFlag.AlignCenter)
            # fixed size: a new value repaints the label only, never relayouts the window
            v.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            cap = QLabel(self._caption(key))
            cap.setObjectName("bigunit")
            cap.setAlignment(Qt.AlignmentFlag.AlignCenter)
            cap.setWordWrap(True)
            cap.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            prov = QLabel("provisional")
            prov.setObjectName("provisional")
            prov.setAlignment(Qt.AlignmentFlag.AlignCenter)
            prov.setToolTip("From 60 s of beats; final once its 2-minute window is full")
            keep = prov.sizePolicy()
            keep.setRetainSizeWhenHidden(True)  # its line is kept: the tile never changes height
            prov.setSizePolicy(keep)
            prov.hide()
            lay.addWidget(v, 0, k)
            lay.addWidget(cap, 1, k)
            lay.addWidget(prov, 2, k)
            lay.setColumnStretch(k, 1)
            self.values[key] = v
            self.captions[key] = cap
            self.provisional[key] = prov

    @classmethod
    def _caption(cls, key: str) -> str:
        _, label, unit, _ = next(i for i in cls.ITEMS if i[0] == key)
        return f"{label}" + (f" ({unit})" if unit else "")

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
                on = bool(math.isfinite(v) and s.spectral_provisional)
                if self.provisional[key].isHidden() == on:
                    self.provisional[key].setVisible(on)
        _set(self.values["time"], mmss(elapsed_s))

    FINAL = {"rmssd": "RMSSD, session (ms)", "coherence": "coherence, mean",
             "resonance": "resonance power, mean (ms²)", "p2t": "peak-to-trough, mean (bpm)",
             "hr": "heart rate, mean (bpm)", "time": "practice time"}

    def show_final(self, values: dict[str, float], elapsed_s: float) -> None:
        """The tiles at Stop: the session summary's figures (the same as the dialog's and history's)."""
        fm = {k: f for k, _, _, f in self.ITEMS}
        for key in self.values:
            if key != "time":
                _set(self.values[key], _fmt(values.get(key), fm[key]))
            _set(self.captions[key], self.FINAL[key])
        for p in self.provisional.values():
            p.hide()
        _set(self.values["time"], mmss(elapsed_s))

    def reset(self) -> None:
        for key, v in self.values.items():
            _set(v, "—")
            _set(self.captions[key], self._caption(key))


class PacerControls(QGroupBox):
    changed = Signal(object)  # PacerSettings

    def __init__(self, settings: PacerSettings, parent: QWidget | None = None) -> None:
        super().__init__("Breathing pacer", parent)
        self.rate = QDoubleSpinBox(decimals=1, minimum=3.0, maximum=10.0, singleStep=0.1, suffix=" /min")
        self.rate.setValue(settings.rate_bpm)
        self.inhale = QDoubleSpinBox(decimals=0, minimum=25, maximum=60, singleStep=5, suffix=" % inhale")
        self.inhale.setValue(100 * settings.inhale_fraction)
        self.hold_in = QDoubleSpinBox(decimals=1, minimum=0, maximum=5, singleStep=0.5, suffix=" s")
        self.hold_out = QDoubleSpinBox(decimals=1, minimum=0, maximum=5, singleStep=0.5, suffix=" s")
        self.ramp_from = QDoubleSpinBox(decimals=1, minimum=0, maximum=20, singleStep=0.5, suffix=" /min")
        self.ramp_from.setSpecialValueText("no ramp")
        self.ramp_min = QDoubleSpinBox(decimals=1, minimum=0, maximum=20, singleStep=0.5, suffix=" min")
        self.no_pacer = QCheckBox("no pacer (your own rhythm)")
        self.hide_pacer = QCheckBox("hide the pacer")
        self.chime = QCheckBox("soft chime at each turn")
        self.chime.setToolTip("A gentle tone where the inhale and the exhale start, to follow with eyes closed")
        self.apply = QPushButton("Apply from the next breath")
        form = QFormLayout(self)  # one column: it scrolls in a narrow panel beside the pacer
        form.setVerticalSpacing(3)
        for label, w in (("breaths", self.rate), ("in : out", self.inhale), ("hold after inhale", self.hold_in),
                         ("hold after exhale", self.hold_out), ("slow down from", self.ramp_from),
                         ("over", self.ramp_min)):
            form.addRow(label, w)
        for b in (self.no_pacer, self.hide_pacer, self.chime, self.apply):
            form.addRow(b)
        self.apply.clicked.connect(lambda: self.changed.emit(self.settings()))

    def settings(self) -> PacerSettings:
        return PacerSettings(rate_bpm=round(self.rate.value(), 1), inhale_fraction=self.inhale.value() / 100.0,
                             hold_in_s=self.hold_in.value(), hold_out_s=self.hold_out.value(),
                             ramp_from_bpm=self.ramp_from.value(), ramp_min=self.ramp_min.value(),
                             enabled=not self.no_pacer.isChecked())


class MarkerList(QListWidget):
    """A recording's markers, each in full (wrapped, and in its tooltip); double-click one to go there."""

    marker_jump = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setUniformItemSizes(False)
        self.setMinimumHeight(60)
        self.itemDoubleClicked.connect(lambda it: self.marker_jump.emit(float(it.data(Qt.ItemDataRole.UserRole))))

    def set_markers(self, markers: list[tuple[float, str]]) -> None:
        from PySide6.QtWidgets import QListWidgetItem

        self.clear()
        for t, label in markers:
            it = QListWidgetItem(f"{mmss(t)}  {label}")
            it.setData(Qt.ItemDataRole.UserRole, t)
            it.setToolTip(f"{mmss(t)}  {label}")
            self.addItem(it)


class ReplayBar(QWidget):
    """The seek bar across the window; play, position and speed under it."""

    play_toggled = Signal(bool)
    seek_requested = Signal(float)
    speed_changed = Signal(float)

    def __init__(self, duration_s: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.duration_s = duration_s
        self.play = QPushButton("Play")
        self.play.setObjectName("primary")
        self.play.setCheckable(True)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, max(1, int(duration_s)))
        self.slider.setPageStep(30)
        self.slider.setToolTip("Drag or click to go to a moment of the recording")
        self.slider.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.speed = QComboBox()
        for s in (1, 2, 4, 8, 16):
            self.speed.addItem(f"{s}×", float(s))
        self.speed.setToolTip("Replay speed")
        self.where = QLabel(f"0:00 / {mmss(duration_s)}")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.play)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.where)
        lay.addWidget(self.speed)
        self.play.toggled.connect(self._toggled)
        self.slider.sliderReleased.connect(lambda: self.seek_requested.emit(float(self.slider.value())))
        self.slider.actionTriggered.connect(self._action)
        self.speed.currentIndexChanged.connect(lambda _i: self.speed_changed.emit(self.speed.currentData()))

    def _action(self, action: int) -> None:
        a = QSlider.SliderAction
        if action in (a.SliderPageStepAdd, a.SliderPageStepSub, a.SliderSingleStepAdd, a.SliderSingleStepSub,
                      a.SliderToMinimum, a.SliderToMaximum):
            self.seek_requested.emit(float(self.slider.sliderPosition()))

    def _toggled(self, on: bool) -> None:
        self.play.setText("Pause" if on else "Play")
        self.play_toggled.emit(on)

    def set_position(self, t_s: float) -> None:
        if not self.slider.isSliderDown():
            self.slider.blockSignals(True)
            self.slider.setValue(int(t_s))
            self.slider.blockSignals(False)
        _set(self.where, f"{mmss(t_s)} / {mmss(self.duration_s)}")


class MainWindow(QMainWindow):
    start_requested = Signal()
    pause_requested = Signal(bool)
    stop_requested = Signal()
    marker_requested = Signal()
    export_requested = Signal(str)  # "pdf" | "rr" | "edf"
    view_changed = Signal(str, float)  # theme, text scale: kept between runs

    def __init__(self, *, mode: str = "train", pacer: PacerSettings | None = None, theme: str = "dark",
                 scale: float = 1.0, clock=None, schedule=None, replay_duration_s: float = 0.0,
                 last_device: tuple[str, str] | None = None, profiles: list[str] | None = None,
                 profile: str = "default", scripts: list[tuple[str, str]] | None = None) -> None:
        super().__init__()
        self.mode = mode
        self.theme: Theme = THEMES.get(theme, THEMES["dark"])
        self.scale = text_step(scale, 0)
        self.compact = False
        self.compact_choice: bool | None = None  # None: compact when the full layout does not fit
        self._avail: QRect | None = None
        self.setWindowTitle("vagal-coach — soothing rhythm breathing" if mode == "train" else "vagal-coach — replay")
        self.numbers = BigNumbers()
        self.pacer = PacerWidget(clock or (lambda: 0.0), schedule or (lambda: None), self.theme)
        self.pacer.setMinimumSize(160, 160)
        self.plots = LivePlots(self.theme)
        self.pacer_controls = PacerControls(pacer or PacerSettings())
        self.pacer_controls.hide_pacer.toggled.connect(self._hide_pacer)
        self.device = DevicePanel(last_device)
        self.session_panel = SessionPanel(profiles or [], profile, scripts or [])
        self.prompt = PromptView()
        self.reflection = ReflectionPanel()
        self.baseline = QDoubleSpinBox(decimals=1, minimum=0, maximum=10, singleStep=0.5, suffix=" min baseline")
        self.baseline.setToolTip("Minutes of breathing in your own way before the pacer starts")
        self.start_btn = QPushButton("Start")
        self.start_btn.setObjectName("primary")
        self.start_btn.setToolTip("Start the session (Ctrl+Enter)")
        self.pause_btn = QPushButton("Pause")
        self.pause_btn.setCheckable(True)
        self.pause_btn.setToolTip("Pause: the paused time is not practice time (Space)")
        self.stop_btn = QPushButton("Stop")
        self.marker_btn = QPushButton("Marker (M)")
        self.settings_btn = QPushButton("Settings")
        self.settings_btn.setCheckable(True)
        self.settings_btn.setToolTip("Show or fold the strap, session and pacer settings")
        self.status = QLabel(DISCLAIMER)
        self.status.setObjectName("bigunit")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # files in the data folder that could not be used (named, with the reason; defaults used): stays shown
        self.notice = QLabel("")
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.setVisible(False)
        left = QVBoxLayout()
        left.setContentsMargins(0, 0, 0, 0)
        self.settings_area: QScrollArea | None = None
        self.markers: MarkerList | None = None
        if mode == "train":
            self.session_panel.kind_changed.connect(lambda k: self.baseline.setEnabled(k == "practice"))
            self.setup = QTabWidget()
            self.session_panel.setTitle("")
            self.pacer_controls.setTitle("")
            self.setup.addTab(self.session_panel, "Session")
            self.setup.addTab(self.pacer_controls, "Breathing pacer")
            content = QWidget()
            content.setObjectName("scrollcontent")
            cl = QVBoxLayout(content)
            cl.setContentsMargins(0, 0, 4, 0)
            cl.addWidget(self.device)  # contact, link and battery: in view unless folded
            cl.addWidget(self.setup)
            cl.addStretch(1)
            self.settings_area = QScrollArea()
            self.settings_area.setWidget(content)
            self.settings_area.setWidgetResizable(True)
            self.settings_area.setFrameShape(QScrollArea.Shape.NoFrame)
            self.settings_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.settings_area.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
            left.addWidget(self.settings_area, 2)
            self.settings_btn.setChecked(True)
            self.settings_btn.toggled.connect(self.settings_area.setVisible)
        left.addWidget(self.pacer, 3)
        left.addWidget(self.prompt)  # a guided session's prompts, live or in replay
        if mode == "train":
            left.addWidget(self.reflection, 3)
            self.reflection.submitted.connect(lambda _v: self.show_reflection(False))
            self.reflection.skipped.connect(lambda: self.show_reflection(False))
        else:
            self.markers = MarkerList()
            cap = QLabel("Markers (double-click one to go there)")
            cap.setObjectName("bigunit")
            cap.setWordWrap(True)
            left.addWidget(cap)
            left.addWidget(self.markers, 2)
        leftw = QWidget()
        leftw.setLayout(left)
        self.split = QSplitter()
        self.split.addWidget(leftw)
        self.split.addWidget(self.plots)
        self.split.setStretchFactor(0, 2)
        self.split.setStretchFactor(1, 3)
        self.split.setChildrenCollapsible(False)
        self.replay_bar: ReplayBar | None = None
        self.export_buttons: list[QPushButton] = []
        controls = QHBoxLayout()
        if mode == "train":
            for w in (self.start_btn, self.pause_btn, self.stop_btn, self.marker_btn, self.baseline):
                controls.addWidget(w)
            controls.addStretch(1)
            controls.addWidget(self.settings_btn)
        else:
            self.replay_bar = ReplayBar(replay_duration_s)
            if self.markers is not None:
                self.markers.marker_jump.connect(self.replay_bar.seek_requested.emit)
            controls.addWidget(self.marker_btn)
            controls.addStretch(1)
            for kind, label in (("pdf", "PDF report"), ("rr", "Export RR"), ("edf", "Export EDF+")):
                b = QPushButton(label)
                b.clicked.connect(lambda _c=False, k=kind: self.export_requested.emit(k))
                controls.addWidget(b)
                self.export_buttons.append(b)
        central = QWidget()
        central.setObjectName("central")
        v = QVBoxLayout(central)
        v.setContentsMargins(8, 4, 8, 4)
        v.setSpacing(4)
        v.addWidget(self.numbers)
        v.addWidget(self.split, 1)
        if self.replay_bar is not None:
            v.addWidget(self.replay_bar)  # the seek bar across the window
        v.addLayout(controls)
        v.addWidget(self.status)
        v.addWidget(self.notice)
        self.setCentralWidget(central)
        self.start_btn.clicked.connect(self.start_requested.emit)
        self.pause_btn.toggled.connect(self.pause_requested.emit)
        self.stop_btn.clicked.connect(self.stop_requested.emit)
        self.marker_btn.clicked.connect(self.marker_requested.emit)
        self.pause_btn.setEnabled(False)
        self.stop_btn.setEnabled(False)
        self.marker_btn.setEnabled(mode != "train")
        self._menus()
        self.apply_theme(self.theme.name, self.scale)
        self.resize(1280, 720)

    # ------------------------------------------------------------------ menus and view
    def _menus(self) -> None:
        def act(menu: QMenu | None, text: str, key: str | None, fn: Callable[..., object],
                checkable: bool = False) -> QAction:
            a = QAction(text, self)
            if key:
                a.setShortcut(QKeySequence(key))
            a.setCheckable(checkable)
            a.triggered.connect(fn)
            if menu is not None:
                menu.addAction(a)
            self.addAction(a)  # shortcuts work with the menu bar hidden (full screen) too
            return a

        act(None, "Marker", "M", self.marker_requested.emit)
        act(None, "Pause", "Space", lambda: self.pause_btn.toggle() if self.pause_btn.isEnabled() else None)
        act(None, "Start", "Ctrl+Return", lambda: self.start_requested.emit() if self.start_btn.isEnabled() else None)
        view = self.menuBar().addMenu("&View")
        act(view, "Dark or light theme", "Ctrl+T", self.toggle_theme)
        act(view, "Larger text", "Ctrl++", lambda: self.step_text(+1))
        act(None, "Larger text", "Ctrl+=", lambda: self.step_text(+1))
        act(view, "Smaller text", "Ctrl+-", lambda: self.step_text(-1))
        self.compact_action = act(view, "Compact layout (the pacer large, one plot)", "Ctrl+L",
                                  lambda on: self.choose_compact(bool(on)), checkable=True)
        act(view, "Full screen", "F11", lambda: self.showNormal() if self.isFullScreen() else self.showFullScreen())
        self.help_menu = self.menuBar().addMenu("&Help")
        act(self.help_menu, "About vagal-coach", None, self._about)

    def _about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(self, "About vagal-coach", "vagal-coach: heart rate variability biofeedback, breathing "
                          "at your resonance rate.\n\n" + DISCLAIMER)

    def toggle_theme(self) -> None:
        self.apply_theme("light" if self.theme.name == "dark" else "dark", self.scale)
        self.view_changed.emit(self.theme.name, self.scale)

    def step_text(self, delta: int) -> None:
        new = text_step(self.scale, delta)
        if new != self.scale:
            self.apply_theme(self.theme.name, new)
            self.view_changed.emit(self.theme.name, self.scale)

    def apply_theme(self, name: str, scale: float) -> None:
        """Theme and text size for the whole application; the layout is fitted again, and a step back
        restores it (the window keeps its size; only the parts inside it change)."""
        self.theme = THEMES[name]
        self.scale = text_step(scale, 0)
        apply_to_app(self.theme, self.scale)
        self.setStyleSheet("")  # the application's stylesheet holds for every window, dialog and popup
        self.pacer.set_theme(self.theme)
        self.plots.set_theme(self.theme, self.scale)
        if self._avail is not None:
            self.fit_to(self._avail, resize=False)

    def choose_compact(self, on: bool | None) -> None:
        """The user's choice of layout (None: compact only where the full layout does not fit)."""
        self.compact_choice = on
        if self._avail is not None:
            self.fit_to(self._avail, resize=False)
        else:
            self.set_compact(bool(on))

    def set_compact(self, on: bool) -> None:
        """Compact: the pacer large and one plot (heart rate with the pacer); settings folded."""
        self.compact = on
        self.plots.set_compact(on)
        if self.settings_area is not None:
            self.settings_btn.setChecked(not on)
        self.compact_action.blockSignals(True)
        self.compact_action.setChecked(on)
        self.compact_action.blockSignals(False)

    def full_layout_fits(self, avail: QRect) -> bool:
        was = self.compact
        self.set_compact(False)
        self._settle()
        need = self.minimumSizeHint()
        if was:
            self.set_compact(True)
        return need.width() <= avail.width() and need.height() <= avail.height()

    def _settle(self) -> None:
        content = self.settings_area.widget() if self.settings_area is not None else None
        if self.settings_area is not None and content is not None:  # as wide as its content: it scrolls up
            if (inner := content.layout()) is not None:                # and down, never sideways
                inner.activate()
            self.settings_area.setMinimumWidth(content.minimumSizeHint().width()
                                               + self.settings_area.verticalScrollBar().sizeHint().width() + 2)
        central = self.centralWidget()
        for lay in (central.layout() if central is not None else None, self.layout()):
            if lay is not None:
                lay.invalidate()
                lay.activate()

    def fit_to(self, avail: QRect, resize: bool = True) -> None:
        """Fit the screen area ``avail``: compact when the full layout does not fit (unless chosen)."""
        self._avail = QRect(avail)
        on = self.compact_choice if self.compact_choice is not None else not self.full_layout_fits(avail)
        self.set_compact(on)
        self._settle()
        if resize:
            self.resize(min(avail.width(), 1366), min(avail.height(), 860))
        elif self.width() > avail.width() or self.height() > avail.height():
            self.resize(min(self.width(), avail.width()), min(self.height(), avail.height()))

    def showEvent(self, e) -> None:  # noqa: N802 - Qt's name
        super().showEvent(e)
        if self._avail is None and self.screen() is not None:
            self.fit_to(self.screen().availableGeometry())

    # ------------------------------------------------------------------ session state
    def show_reflection(self, on: bool) -> None:
        """The closing reflection takes the pacer's place (the pacer has nothing to show then)."""
        self.reflection.setVisible(on)
        self.pacer.setVisible(not on)

    def _hide_pacer(self, on: bool) -> None:
        self.pacer.hidden_pacer = on

    def set_running(self, running: bool) -> None:
        """The next action stands out: Start before a session, Pause and Stop (and markers) only during one."""
        self.start_btn.setEnabled(not running)
        self.pause_btn.setEnabled(running)
        self.stop_btn.setEnabled(running)
        self.marker_btn.setEnabled(running)
        if not running and self.pause_btn.isChecked():
            self.pause_btn.blockSignals(True)
            self.pause_btn.setChecked(False)
            self.pause_btn.blockSignals(False)
        self.device.setEnabled(not running)
        self.session_panel.setEnabled(not running)
        if running:
            self.show_reflection(False)
            self.numbers.reset()
        if not running:
            self.prompt.show_prompt(None)
            self.prompt.show_phase(None)
