"""The result of a resonance-frequency assessment: the recommendation, the evidence table, and the choice
to make it the client's pacer rate (or to fine-tune around it)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vagal_coach.analysis.assessment import EVIDENCE_COLUMNS, evidence_rows
from vagal_coach.hrv.resonance import Recommendation


class ResonanceResult(QDialog):
    use_requested = Signal(float)
    fine_tune_requested = Signal(float)
    report_requested = Signal()

    def __init__(self, result: Recommendation, profile: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recommendation = result
        self.setWindowTitle("Resonance breathing rate")
        self.resize(820, 420)
        if result.recommended_bpm is not None:
            head = (f"Recommended for {profile}: {result.recommended_bpm:g} breaths/min "
                    f"(confidence {100 * result.confidence:.0f} %)")
        else:
            head = "No rate can be recommended from this session"
        self.headline = QLabel(head)
        self.headline.setObjectName("headline")
        self.headline.setWordWrap(True)
        self.reason = QLabel(result.reason + ". Criteria: Shaffer & Meehan (2020); the best rate on each is "
                             "counted as a win.")
        self.reason.setWordWrap(True)
        self.table = QTableWidget(len(result.rates), len(EVIDENCE_COLUMNS))
        self.table.setHorizontalHeaderLabels([c[0].replace("\n", " ") for c in EVIDENCE_COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for i, row in enumerate(evidence_rows(result)):
            best = result.recommended_bpm is not None and abs(result.rates[i].rate_bpm - result.recommended_bpm) < 1e-6
            for j, v in enumerate(row):
                it = QTableWidgetItem(v)
                it.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if best:
                    it.setBackground(QColor("#009E7355"))
                self.table.setItem(i, j, it)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.use = QPushButton("Make it my pacer rate")
        self.fine = QPushButton("Fine-tune around it (± 0.25)")
        self.report = QPushButton("PDF report…")
        self.close_btn = QPushButton("Close")
        ok = result.recommended_bpm is not None
        self.use.setEnabled(ok)
        self.fine.setEnabled(ok and 3.25 <= (result.recommended_bpm or 0) <= 9.75)
        lay = QVBoxLayout(self)
        lay.addWidget(self.headline)
        lay.addWidget(self.reason)
        lay.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        for b in (self.report, self.fine, self.use, self.close_btn):
            buttons.addWidget(b)
        buttons.insertStretch(1, 1)
        lay.addLayout(buttons)
        # as wide as the evidence (every column in view), within the screen
        hh = self.table.horizontalHeader()
        need = sum(hh.sectionSize(c) for c in range(self.table.columnCount())) + 60
        avail = self.screen().availableGeometry().width() - 40 if self.screen() is not None else 1280
        self.resize(max(820, min(need, avail)), 420)
        bpm = float(result.recommended_bpm or 0.0)  # the buttons are enabled only when there is one
        self.use.clicked.connect(lambda: self.use_requested.emit(bpm))
        self.fine.clicked.connect(lambda: self.fine_tune_requested.emit(bpm))
        self.report.clicked.connect(self.report_requested.emit)
        self.close_btn.clicked.connect(self.close)
