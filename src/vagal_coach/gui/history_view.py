"""The history view: trends over weeks (resting lnRMSSD, session RMSSD, resonance power) and every
session, unreadable ones included; double-click a session to replay it."""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vagal_coach.clock import mmss
from vagal_coach.gui.theme import Theme
from vagal_coach.session.library import TRENDS, progress, weekly_median

COLUMNS = (("date (UTC)", "start_utc"), ("client", "profile"), ("kind", "kind"), ("length", "duration_s"),
           ("rate /min", "rate_bpm"), ("rest lnRMSSD", "resting_ln_rmssd"), ("RMSSD ms", "session_rmssd_ms"),
           ("res. power ms²", "resonance_power_ms2"), ("feel 0-10", "rating"), ("status", "status"))
FORMATS = {"rate_bpm": "{:.1f}", "resting_ln_rmssd": "{:.2f}", "session_rmssd_ms": "{:.0f}",
           "resonance_power_ms2": "{:.0f}", "rating": "{:.0f}"}


def cell_text(row: dict, key: str) -> str:
    v = row.get(key)
    if key == "start_utc":
        return (v or "")[:16].replace("T", " ")
    if key == "duration_s":
        return mmss(v) if isinstance(v, (int, float)) else "—"
    if key == "status":
        return "ok" if v == "ok" else f"unreadable: {row.get('error') or ''}"
    if key in FORMATS:
        return FORMATS[key].format(v) if isinstance(v, (int, float)) else "—"
    return str(v or "")


class HistoryView(QDialog):
    open_requested = Signal(str)  # a recording's path
    profile_changed = Signal(str)  # "" = every client
    rebuild_requested = Signal()
    report_requested = Signal()

    def __init__(self, theme: Theme, profiles: list[str], profile: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("vagal-coach — history")
        self.setModal(False)
        self.resize(1100, 760)
        self.theme = theme
        self.rows: list[dict] = []
        self.profile = QComboBox()
        self.profile.addItem("every client", "")
        for p in profiles:
            self.profile.addItem(p, p)
        if profile:
            i = self.profile.findData(profile)
            self.profile.setCurrentIndex(max(0, i))
        self.summary = QLabel("")
        self.rebuild = QPushButton("Rebuild index from files")
        self.report = QPushButton("Progress report (PDF)…")
        top = QHBoxLayout()
        top.addWidget(QLabel("client"))
        top.addWidget(self.profile)
        top.addWidget(self.summary, 1)
        top.addWidget(self.rebuild)
        top.addWidget(self.report)
        pg.setConfigOptions(antialias=True)
        self.plots: dict[str, pg.PlotWidget] = {}
        self.points: dict[str, pg.PlotDataItem] = {}
        self.lines: dict[str, pg.PlotDataItem] = {}
        plots = QWidget()
        pl = QHBoxLayout(plots)
        colours = (theme.rmssd, theme.hr, theme.resonance)
        for (col, title, unit), c in zip(TRENDS, colours):
            w = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
            w.setBackground(theme.panel)
            w.setTitle(f"{title} ({unit})", color=theme.text)
            w.showGrid(x=False, y=True, alpha=0.2)
            w.setMouseEnabled(x=True, y=False)
            self.points[col] = w.plot([], [], pen=None, symbol="o", symbolSize=7, symbolBrush=c, symbolPen=None)
            self.lines[col] = w.plot([], [], pen=pg.mkPen(c, width=2))
            self.plots[col] = w
            pl.addWidget(w)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([c[0] for c in COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.hint = QLabel("Double-click a session to replay it. Resting lnRMSSD is the unpaced part before the "
                           "pacer starts; practice support, not a diagnosis.")
        self.hint.setObjectName("bigunit")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(plots)
        split.addWidget(self.table)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        lay.addWidget(self.hint)
        self.profile.currentIndexChanged.connect(lambda _i: self.profile_changed.emit(self.profile.currentData()))
        self.rebuild.clicked.connect(self.rebuild_requested.emit)
        self.report.clicked.connect(self.report_requested.emit)
        self.table.cellDoubleClicked.connect(self._open)

    def _open(self, row: int, _col: int) -> None:
        r = self.rows[row]
        if r.get("status") == "ok":
            self.open_requested.emit(str(r["path"]))
        else:
            self.summary.setText(f"{Path(str(r['path'])).name} cannot be opened: {r.get('error') or 'unreadable'}")

    def set_rows(self, rows: list[dict]) -> None:
        self.rows = list(reversed(rows))  # newest first in the table
        bad = sum(r.get("status") != "ok" for r in rows)
        self.summary.setText(f"{len(rows) - bad} sessions" + (f", {bad} unreadable" if bad else ""))
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            for j, (_, key) in enumerate(COLUMNS):
                it = QTableWidgetItem(cell_text(r, key))
                if r.get("status") != "ok":
                    it.setForeground(QColor(self.theme.warning))
                self.table.setItem(i, j, it)
        self.table.resizeColumnsToContents()
        for col, (t, v) in progress(rows).items():
            self.points[col].setData(t, v)
            wt, wv = weekly_median(t, v)
            self.lines[col].setData(wt, wv) if wt.size > 1 else self.lines[col].setData([], [])
