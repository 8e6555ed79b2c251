"""The history view: trends over weeks (resting lnRMSSD, session RMSSD, resonance power) and every
session, unreadable ones included; double-click a session to replay it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
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
from vagal_coach.gui.plots import legend_row, style_legend
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


def count_text(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def day_range(t_s: np.ndarray) -> tuple[float, float]:
    """The date axis' span: the sessions' days with half a day either side, and at least a week."""
    lo, hi = float(np.min(t_s)) - 43200.0, float(np.max(t_s)) + 43200.0
    if hi - lo < 7 * 86400.0:
        mid = (lo + hi) / 2
        lo, hi = mid - 3.5 * 86400.0, mid + 3.5 * 86400.0
    return lo, hi


def value_range(v: np.ndarray) -> tuple[float, float]:
    """A y-range on round numbers holding the values, at least a fifth of their size wide (so one session
    or a few equal ones are not drawn on a scale of rounding noise)."""
    from vagal_coach.gui.plots import nice_range

    lo, hi = float(np.min(v)), float(np.max(v))
    span = max(hi - lo, 0.2 * max(abs(lo), abs(hi)), 1e-3)
    mid = (lo + hi) / 2
    return nice_range(min(lo, mid - span / 2), max(hi, mid + span / 2))


class DayAxis(pg.DateAxisItem):
    """Dates as days ("5 Dec"), never as the clock's fractions of a second."""

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph's name
        import time as _time

        if spacing < 86400:
            return super().tickStrings(values, scale, spacing)
        return [_time.strftime("%-d %b", _time.gmtime(v)) for v in values]


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
        self.resize(1180, 680)  # within a 1280x720 screen
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
        self.summary.setWordWrap(True)
        self.rebuild = QPushButton("Rebuild index from files")
        self.report = QPushButton("Progress report (PDF)…")
        top = QHBoxLayout()
        top.addWidget(QLabel("client"))
        top.addWidget(self.profile)
        top.addWidget(self.summary, 1)
        top.addWidget(self.rebuild)
        top.addWidget(self.report)
        self.plots: dict[str, pg.PlotWidget] = {}
        self.points: dict[str, pg.PlotDataItem] = {}
        self.lines: dict[str, pg.PlotDataItem] = {}
        self.titles: dict[str, str] = {}
        self.legends: dict[str, pg.LegendItem] = {}
        plots = QWidget()
        pl = QHBoxLayout(plots)
        colours = (theme.rmssd, theme.hr, theme.resonance)
        pl.setContentsMargins(0, 0, 0, 0)
        for (col, title, unit), c in zip(TRENDS, colours):
            w = pg.PlotWidget(axisItems={"bottom": DayAxis(orientation="bottom", utcOffset=0)})
            w.setMinimumSize(200, 150)
            w.showGrid(x=False, y=True, alpha=0.2)
            w.setMouseEnabled(x=True, y=False)
            w.setMenuEnabled(False)
            w.getPlotItem().hideButtons()
            legend = legend_row(w.getPlotItem())
            w.getAxis("left").setStyle(maxTextLevel=0)  # labels on the major ticks only
            self.points[col] = w.plot([], [], pen=None, symbol="o", symbolSize=7, symbolBrush=c, symbolPen=None,
                                      name="a session")
            self.lines[col] = w.plot([], [], pen=pg.mkPen(c, width=2), name="weekly median")
            w.setLabel("left", unit)
            self.titles[col] = title
            self.legends[col] = legend
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
        self.hint.setWordWrap(True)
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
        self.set_theme(theme)

    def fit_to(self, avail) -> None:  # noqa: ANN001 - a QRect
        self.resize(min(1180, avail.width()), min(680, avail.height()))

    def set_theme(self, theme: Theme, scale: float = 1.0) -> None:
        from PySide6.QtGui import QFont

        self.theme = theme
        tick = QFont()
        tick.setPixelSize(max(9, int(round(11 * scale))))
        fpx = max(9, int(round(12 * scale)))
        for col, w in self.plots.items():
            w.setBackground(theme.panel)
            w.setTitle(self.titles[col], color=theme.text, size=f"{fpx}px")
            style_legend(self.legends[col], theme.text, f"{max(8, fpx - 1)}px")
            for ax in ("left", "bottom"):
                a = w.getAxis(ax)
                a.setPen(theme.muted)
                a.setTextPen(theme.text)
                a.setStyle(tickFont=tick)
                a.setLabel(a.labelText, color=theme.text, **{"font-size": f"{max(9, fpx - 1)}px"})

    def _open(self, row: int, _col: int) -> None:
        r = self.rows[row]
        if r.get("status") == "ok":
            self.open_requested.emit(str(r["path"]))
        else:
            self.summary.setText(f"{Path(str(r['path'])).name} cannot be opened: {r.get('error') or 'unreadable'}")

    def set_rows(self, rows: list[dict]) -> None:
        self.rows = list(reversed(rows))  # newest first in the table
        bad = sum(r.get("status") != "ok" for r in rows)
        self.summary.setText(count_text(len(rows) - bad, "session") + (f", {bad} unreadable" if bad else ""))
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
            if t.size:
                self.plots[col].setXRange(*day_range(t), padding=0)
                self.plots[col].setYRange(*value_range(v), padding=0)
