"""What kind of session to run and for whom; the guided session's prompt; the closing reflection.

Widgets only: they show what they are given and emit what the user chose.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from vagal_coach.clock import mmss

#: session kinds besides the guided scripts: (key, label)
KINDS = (("practice", "Free practice"),
         ("rf-stepped", "Find my rate: stepped, 6.5 to 4.5 /min (13 min)"),
         ("rf-sliding", "Find my rate: a slow sweep, 6.75 to 4.25 /min (15 min)"),
         ("rf-fine-tune", "Fine-tune my rate: it and ± 0.25 /min (8 min)"))


def narrow_combo(combo: QComboBox, chars: int = 16) -> None:
    """A drop-down that fits a narrow panel: its own width from ``chars`` characters, its list as wide as its
    longest item, and the whole current item in its tooltip."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)
    combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def widen(_i: int = 0) -> None:
        combo.setToolTip(combo.currentText())
        fm = combo.view().fontMetrics()
        combo.view().setMinimumWidth(max((fm.horizontalAdvance(combo.itemText(i)) for i in range(combo.count())),
                                         default=0) + 40)

    combo.currentIndexChanged.connect(widen)
    combo.model().rowsInserted.connect(lambda *_a: widen())
    widen()


class SessionPanel(QGroupBox):
    """Profile (client), session kind, guided length; the profile's resonance rate; the history button."""

    profile_changed = Signal(str)
    kind_changed = Signal(str)
    history_requested = Signal()

    def __init__(self, profiles: list[str], profile: str, scripts: list[tuple[str, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__("Session", parent)
        self.profile = QComboBox()
        self.profile.setEditable(True)  # a new client: type a name
        self.profile.addItems(sorted(set(profiles) | {profile}))
        self.profile.setCurrentText(profile)
        self.profile.setToolTip("Client profile: each has its own recordings and resonance rate")
        self.kind = QComboBox()
        self.kind.addItem(KINDS[0][1], KINDS[0][0])
        for key, title in scripts:
            self.kind.addItem(f"Guided: {title}", f"guided:{key}")
        for key, label in KINDS[1:]:
            self.kind.addItem(label, key)
        narrow_combo(self.kind)
        narrow_combo(self.profile, 10)
        self.profile.setToolTip("Client profile: each has its own recordings and resonance rate")
        self.minutes = QDoubleSpinBox(decimals=0, minimum=3, maximum=20, singleStep=1, suffix=" min")
        self.minutes.setValue(10)
        self.target = QDoubleSpinBox(decimals=1, minimum=0.1, maximum=10.0, singleStep=0.1)
        self.target.setValue(1.0)
        self.target.setToolTip("The summary counts the time your coherence was at or above this: set it with "
                               "your clinician, and raise it as practice grows")
        self.rf = QLabel("resonance rate: not assessed yet")
        self.rf.setObjectName("bigunit")
        self.rf.setWordWrap(True)
        self.history = QPushButton("History…")
        form = QFormLayout(self)
        form.addRow("client", self.profile)
        form.addRow("session", self.kind)
        form.addRow("length", self.minutes)
        form.addRow("coherence target", self.target)
        form.addRow(self.rf)
        form.addRow(self.history)
        self.profile.currentTextChanged.connect(lambda t: self.profile_changed.emit(t.strip() or "default"))
        self.kind.currentIndexChanged.connect(self._kind)
        self.history.clicked.connect(self.history_requested.emit)
        self._kind()

    def current_kind(self) -> str:
        return str(self.kind.currentData())

    def select_kind(self, key: str) -> None:
        i = self.kind.findData(key)
        if i >= 0:
            self.kind.setCurrentIndex(i)

    def _kind(self, _i: int = 0) -> None:
        self.minutes.setEnabled(self.current_kind().startswith("guided:"))
        self.kind_changed.emit(self.current_kind())

    def show_resonance(self, rate_bpm: float | None, when: str | None = None) -> None:
        self.rf.setText(f"resonance rate: {rate_bpm:g} breaths/min" + (f" (assessed {when[:10]})" if when else "")
                        if rate_bpm else "resonance rate: not assessed yet (6 /min is used)")


class PromptView(QWidget):
    """The guided session's phase and its current gentle prompt, in large calm text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.phase = QLabel("")
        self.phase.setObjectName("bigunit")
        self.phase.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = QLabel("")
        self.text.setObjectName("prompt")
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setMinimumHeight(56)
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.phase)
        lay.addWidget(self.text)

    def show_prompt(self, text: str | None) -> None:
        self.text.setText(text or "")

    def show_phase(self, title: str | None, left_s: float | None = None) -> None:
        if not title:
            self.phase.setText("")
            return
        left = "" if left_s is None else f" · {mmss(left_s)} left in the session"
        self.phase.setText(title + left)


class ReflectionPanel(QGroupBox):
    """The closing 0-10 reflection: a slider, the question's anchors, save or skip."""

    submitted = Signal(float)
    skipped = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Reflection", parent)
        self.question = QLabel("How do you feel right now?")
        self.question.setWordWrap(True)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 10)
        self.slider.setValue(5)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setTickInterval(1)
        self.value = QLabel("5")
        self.value.setObjectName("big")
        self.low, self.high = QLabel("0"), QLabel("10")
        for lab in (self.low, self.high):
            lab.setObjectName("bigunit")
            lab.setWordWrap(True)
        self.save = QPushButton("Save")
        self.skip = QPushButton("Skip")
        lay = QVBoxLayout(self)
        lay.addWidget(self.question)
        row = QHBoxLayout()
        row.addWidget(self.slider, 1)
        row.addWidget(self.value)
        lay.addLayout(row)
        anchors = QHBoxLayout()
        anchors.addWidget(self.low)
        anchors.addStretch(1)
        anchors.addWidget(self.high)
        lay.addLayout(anchors)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.skip)
        buttons.addWidget(self.save)
        lay.addLayout(buttons)
        self.slider.valueChanged.connect(lambda v: self.value.setText(str(v)))
        self.save.clicked.connect(self._submit)
        self.skip.clicked.connect(self._skip)
        self.hide()

    def _submit(self) -> None:
        self.submitted.emit(float(self.slider.value()))
        self.hide()

    def _skip(self) -> None:
        self.skipped.emit()
        self.hide()

    def ask(self, question: str, low: str = "0", high: str = "10") -> None:
        self.question.setText(question)
        self.low.setText(low)
        self.high.setText(high)
        self.slider.setValue(5)
        self.show()
