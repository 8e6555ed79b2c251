"""Live plots (pyqtgraph): beat-by-beat HR with the breathing curve, vagal tone over the session,
resonance power and coherence over the session, and the live spectrum. They draw snapshots; no
metric is computed here."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QGraphicsItem, QVBoxLayout, QWidget

from vagal_coach.gui.theme import DARK, Theme
from vagal_coach.hrv.spectral import BANDS_HZ
from vagal_coach.model.pacer import PacerSchedule
from vagal_coach.session.engine import Snapshot

HR_WINDOW_S = 75.0
TITLES = ("Heart rate, beat by beat", "Vagal tone (RMSSD)", "Resonance power and coherence", "Spectrum, last 2 min")
MIN_PLOT_PX = 90  # a plot's least height: they shrink to this before the window needs more room


def nice_range(lo: float, hi: float, current: tuple[float, float] | None = None,
               min_span: float = 1e-9) -> tuple[float, float]:
    """Axis limits on round numbers (1-2-5 steps, about 5 ticks) holding [lo, hi]; the current limits are
    kept while they still hold the data and are not more than 4x too wide. Axes then change rarely, so
    their labels are re-rendered rarely (the costliest part of a redraw) and the plot stays calm."""
    if current is not None:
        a, b = current
        if a <= lo and hi <= b and (b - a) <= 4 * max(hi - lo, min_span):
            return current
    span = max(hi - lo, min_span)
    raw = span / 4.0
    mag = 10 ** np.floor(np.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    return float(np.floor(lo / step) * step), float(np.ceil(hi / step) * step + (step if hi == lo else 0))


def legend_row(plot) -> pg.LegendItem:  # noqa: ANN001 - a pg.PlotItem
    """A legend in its own row between the plot's title and its curves: it never hides the data."""
    legend = pg.LegendItem(offset=None, colCount=4, verSpacing=-8, horSpacing=14)
    legend.setParentItem(plot)
    plot.legend = legend  # curves plotted with a name are listed in it
    top = plot.getAxis("top")
    plot.layout.removeItem(top)  # its row (the top axis is never shown) holds the legend
    top.hide()
    from PySide6.QtWidgets import QSizePolicy

    legend.setSizePolicy(QSizePolicy.Maximum, QSizePolicy.Fixed)  # as tall as its one line, packed left
    legend.layout.setContentsMargins(0, 0, 0, 0)
    plot.layout.addItem(legend, 1, 1)
    plot.layout.setAlignment(legend, Qt.AlignLeft | Qt.AlignVCenter)
    plot.layout.setRowStretchFactor(1, 0)
    return legend


def style_legend(legend, color: str, size: str) -> None:  # noqa: ANN001 - a pg.LegendItem
    """A legend's text colour and size, for the labels it has (drawn again) and the ones it will get."""
    legend.setLabelTextColor(color)
    legend.setLabelTextSize(size)
    for _sample, label in legend.items:
        label.setText(label.text, color=color, size=size)


def minute_ceiling(t_s: float) -> float:
    """The session plots' right edge: the next whole minute (at least 2), so the time axis moves once a minute."""
    return float(max(120.0, 60.0 * np.ceil((t_s + 1e-9) / 60.0)))


class _AgoAxis(pg.AxisItem):
    """A time axis of the last seconds: x is time relative to now (negative), labelled as seconds ago."""

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph's name
        return [f"{abs(v):g}" for v in values]


class _Series:
    """Growable arrays for plotting (amortised O(1) append)."""

    def __init__(self, n: int) -> None:
        self.data = np.full((1024, n), np.nan)
        self.size = 0

    def append(self, row: tuple[float, ...]) -> None:
        if self.size == self.data.shape[0]:
            self.data = np.concatenate((self.data, np.full_like(self.data, np.nan)))
        self.data[self.size] = row
        self.size += 1

    def view(self) -> np.ndarray:
        return self.data[: self.size]

    def clear(self) -> None:
        self.size = 0


class LivePlots(QWidget):
    def __init__(self, theme: Theme = DARK, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        pg.setConfigOptions(antialias=False)  # software rendering on most laptops' remote/VM displays
        self.theme = theme
        self.series = _Series(7)  # t, hr, rmssd, ln_rmssd, resonance, coherence, accepted
        self.schedule: PacerSchedule | None = None
        # the breath from a strap's accelerometer: (t_s, mG) of the last HR window, and whether its sign is
        # known (it rises on the inhale once the session has turned it to rise with the heart rate)
        self.chest_t_s = np.zeros(0)
        self.chest_mg = np.zeros(0)
        self.chest_oriented = False
        self.baseline_ln_rmssd: float | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        # one view per plot: a change repaints only its own view, and redraws are spread over frames
        self.views = [pg.PlotWidget(axisItems={"bottom": _AgoAxis("bottom")})] + [pg.PlotWidget() for _ in range(3)]
        for v in self.views:
            # a plot paints all of its pixels: its parents need not repaint under it
            v.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
            v.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
            lay.addWidget(v, 1)
        self.p_hr, self.p_tone, self.p_res, self.p_psd = (v.getPlotItem() for v in self.views)
        self.scale = 1.0
        self.compact = False
        for v in self.views:
            v.setMinimumHeight(MIN_PLOT_PX)
            v.setMinimumWidth(200)
        self._steps: list = []
        self._stepper = QTimer(self)
        self._stepper.setInterval(20)
        self._stepper.timeout.connect(self._step)
        self.p_psd.getAxis("bottom").enableAutoSIPrefix(False)
        for p in (self.p_hr, self.p_tone, self.p_res, self.p_psd):
            p.showGrid(x=True, y=True, alpha=0.15)
            p.setMenuEnabled(False)
            p.setMouseEnabled(x=False, y=False)
            p.hideButtons()
            p.vb.disableAutoRange()
        self._ranges: dict[str, tuple[float, float]] = {}
        # a legend on every plot, in one row above its curves
        self.legends = [legend_row(p) for p in (self.p_hr, self.p_tone, self.p_res, self.p_psd)]
        self.breath_curve = self.p_hr.plot([], [], pen=None, fillLevel=0, brush=pg.mkBrush(theme.breath),
                                           name="pacer (in: up)")
        self.chest_curve = self.p_hr.plot([], [], pen=pg.mkPen(theme.chest, width=2), name="your breath (chest)")
        self.hr_curve = self.p_hr.plot([], [], pen=pg.mkPen(theme.hr, width=2.5), symbol="o", symbolSize=4,
                                       symbolBrush=theme.hr, symbolPen=None, name="heart rate (bpm)")
        self.legends[0].removeItem(self.chest_curve)  # listed once the chest's breath is drawn
        self.tone_curve = self.p_tone.plot([], [], pen=pg.mkPen(theme.rmssd, width=2), name="RMSSD, last 60 s (ms)")
        self.baseline_line = pg.InfiniteLine(angle=0, pen=pg.mkPen(theme.muted, style=pg.QtCore.Qt.PenStyle.DashLine))
        self.baseline_key = pg.PlotDataItem(pen=pg.mkPen(theme.muted, style=pg.QtCore.Qt.PenStyle.DashLine))
        self.p_tone.addItem(self.baseline_line)
        self.baseline_line.hide()
        self.res_curve = self.p_res.plot([], [], pen=pg.mkPen(theme.resonance, width=2),
                                         name="resonance power (ms², left)")
        self.coh_view = pg.ViewBox()
        self.p_res.showAxis("right")
        self.p_res.scene().addItem(self.coh_view)
        self.p_res.getAxis("right").linkToView(self.coh_view)
        self.p_res.getAxis("right").setLabel("coherence")
        self.coh_view.setXLink(self.p_res)
        self.coh_curve = pg.PlotCurveItem(pen=pg.mkPen(theme.rmssd, width=1.5, style=pg.QtCore.Qt.PenStyle.DotLine))
        self.coh_view.addItem(self.coh_curve)
        self.legends[2].addItem(self.coh_curve, "coherence (right)")
        self.p_res.vb.sigResized.connect(lambda: self.coh_view.setGeometry(self.p_res.vb.sceneBoundingRect()))
        lo, hi = BANDS_HZ["lf"]
        self.lf_region = pg.LinearRegionItem((lo, hi), movable=False, brush=pg.mkBrush(theme.band))
        self.p_psd.addItem(self.lf_region)
        self.psd_curve = self.p_psd.plot([], [], pen=pg.mkPen(theme.text, width=1.5), name="power (ms²/Hz)")
        self.band_key = pg.PlotDataItem(pen=pg.mkPen(theme.band, width=8))
        self.legends[3].addItem(self.band_key, "LF band")
        # the pacer's rate: a line named in the legend (a label on the line would sit on the peak)
        dash = pg.QtCore.Qt.PenStyle.DashLine
        self.pacer_line = pg.InfiniteLine(angle=90, pen=pg.mkPen(theme.hr, width=1.5, style=dash))
        self.pacer_key = pg.PlotDataItem(pen=pg.mkPen(theme.hr, width=1.5, style=dash))
        self.legends[3].addItem(self.pacer_key, "pacer rate")
        self.p_psd.addItem(self.pacer_line)
        self.pacer_line.hide()  # until a spectrum is drawn with a pacer running
        self.p_psd.getAxis("bottom").enableAutoSIPrefix(False)  # before any range is set: no "x0.001"
        self.p_psd.setLabel("bottom", "frequency (Hz)")
        self.p_psd.setXRange(0, 0.4)
        self.p_hr.setLabel("bottom", "seconds ago")
        self.p_hr.setXRange(-HR_WINDOW_S, 0, padding=0)  # fixed: the curve moves, the axis never changes
        self.p_tone.setLabel("bottom", "session time (s)")
        self.p_res.setLabel("bottom", "session time (s)")
        for p, unit in ((self.p_hr, "bpm"), (self.p_tone, "ms"), (self.p_res, "ms²"), (self.p_psd, "ms²/Hz")):
            p.setLabel("left", unit)
        # before the first beat: the real axes, and a note saying what is awaited
        self.waiting = []
        for p, text in ((self.p_hr, "waiting for beats…"), (self.p_tone, "RMSSD from about 20 s of beats"),
                        (self.p_res, "resonance and coherence from about 60 s (provisional until 2 min)"),
                        (self.p_psd, "spectrum from about 60 s of beats")):
            note = pg.TextItem(text, color=theme.muted, anchor=(0.5, 0.5))
            note.setParentItem(p.vb)
            p.vb.sigResized.connect(lambda vb=p.vb, n=note: n.setPos(vb.width() / 2, vb.height() / 2))
            self.waiting.append(note)
        self._empty_axes()
        self.n_updates = 0
        for p in (self.p_hr, self.p_tone, self.p_res, self.p_psd):
            for ax in ("left", "bottom", "right"):
                # an axis whose ticks did not change is blitted from a pixmap, not re-rendered
                p.getAxis(ax).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.set_theme(theme)

    def set_compact(self, on: bool) -> None:
        """Compact: only the heart rate with the pacer (the plot a client follows)."""
        self.compact = on
        for v in self.views[1:]:
            v.setVisible(not on)

    def set_theme(self, theme: Theme, scale: float | None = None) -> None:
        from PySide6.QtGui import QFont

        self.theme = theme
        if scale is not None:
            self.scale = scale
        fpx = max(9, int(round(12 * self.scale)))
        tick = QFont()
        tick.setPixelSize(max(9, int(round(11 * self.scale))))
        self.hr_curve.setPen(pg.mkPen(theme.hr, width=2.5))
        self.hr_curve.setSymbolBrush(theme.hr)
        self.breath_curve.setBrush(pg.mkBrush(theme.breath))
        self.chest_curve.setPen(pg.mkPen(theme.chest, width=2))
        self.tone_curve.setPen(pg.mkPen(theme.rmssd, width=2))
        self.res_curve.setPen(pg.mkPen(theme.resonance, width=2))
        self.psd_curve.setPen(pg.mkPen(theme.text, width=1.5))
        for v in self.views:
            v.setBackground(theme.panel)
        self.baseline_line.setPen(pg.mkPen(theme.muted, style=pg.QtCore.Qt.PenStyle.DashLine))
        self.baseline_key.setPen(pg.mkPen(theme.muted, style=pg.QtCore.Qt.PenStyle.DashLine))
        self.pacer_line.setPen(pg.mkPen(theme.hr, width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine))
        self.pacer_key.setPen(pg.mkPen(theme.hr, width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine))
        self.coh_curve.setPen(pg.mkPen(theme.rmssd, width=1.5, style=pg.QtCore.Qt.PenStyle.DotLine))
        for note in self.waiting:
            note.setColor(theme.muted)
            note.setFont(tick)
        for p, title, legend in zip((self.p_hr, self.p_tone, self.p_res, self.p_psd), TITLES, self.legends):
            p.setTitle(title, color=theme.text, size=f"{fpx}px")
            style_legend(legend, theme.text, f"{max(8, fpx - 1)}px")
            for ax in ("left", "bottom", "right"):
                a = p.getAxis(ax)
                a.setPen(theme.muted)
                a.setTextPen(theme.text)
                a.setStyle(tickFont=tick)
                a.label.setFont(tick)
                a.setLabel(a.labelText, a.labelUnits, color=theme.text, **{"font-size": f"{max(9, fpx - 1)}px"})

    def _empty_axes(self) -> None:
        """The axes a session starts with: typical resting ranges, the first two minutes of session time."""
        self._ranges.clear()
        for key, plot, lo, hi in (("hr", self.p_hr, 50.0, 100.0), ("tone", self.p_tone, 0.0, 100.0),
                                  ("res", self.p_res, 0.0, 1000.0), ("coh", self.coh_view, 0.0, 5.0),
                                  ("psd", self.p_psd, 0.0, 5000.0)):
            self._ranges[key] = (lo, hi)
            plot.setYRange(lo, hi, padding=0)
        self._set_session_x(0.0)
        for note in self.waiting:
            note.show()

    def reset(self) -> None:
        self.series.clear()
        self.chest_t_s, self.chest_mg = np.zeros(0), np.zeros(0)
        self.chest_oriented = False
        self.chest_curve.setData([], [])
        self.legends[0].removeItem(self.chest_curve)
        self._empty_axes()
        self.psd_curve.setData([], [])
        self.redraw()

    def add(self, s: Snapshot) -> None:
        if self.series.size == 0:
            self.waiting[0].hide()
        if self.waiting[1].isVisible() and np.isfinite(s.rmssd_ms):
            self.waiting[1].hide()
        if self.waiting[2].isVisible() and (np.isfinite(s.coherence) or np.isfinite(s.resonance_ms2)):
            self.waiting[2].hide()
        self.series.append((s.t_s, s.hr_bpm, s.rmssd_ms, s.ln_rmssd, s.resonance_ms2, s.coherence,
                            1.0 if s.accepted else 0.0))

    def add_chest(self, t_s: np.ndarray, mg: np.ndarray, oriented: bool, flipped: bool = False) -> None:
        """New breathing-waveform samples from the strap's accelerometer. ``flipped``: the session has just
        turned the waveform over (its inhale is the other way), so the samples kept are turned too."""
        if t_s.size:
            self.chest_t_s = np.concatenate((self.chest_t_s, t_s))
            self.chest_mg = np.concatenate((self.chest_mg, mg))
            keep = self.chest_t_s > self.chest_t_s[-1] - HR_WINDOW_S - 5.0
            if not keep[0]:
                self.chest_t_s, self.chest_mg = self.chest_t_s[keep], self.chest_mg[keep]
        if flipped:  # these samples too: they were made before the turn
            self.chest_mg = -self.chest_mg
        if oriented and not self.chest_oriented:
            self._list_chest()
        self.chest_oriented = oriented

    def _list_chest(self) -> None:
        if self.legends[0].getLabel(self.chest_curve) is None:
            self.legends[0].addItem(self.chest_curve, "your breath (chest)")

    def set_chest(self, t_s: np.ndarray, mg: np.ndarray) -> None:
        """A whole recording's breathing waveform (replay): drawn for whatever window is shown."""
        self.chest_t_s, self.chest_mg = np.asarray(t_s, float), np.asarray(mg, float)
        self.chest_oriented = self.chest_t_s.size > 0
        if self.chest_oriented:
            self._list_chest()

    def redraw(self, now_s: float | None = None, staggered: bool = True) -> None:
        """Redraw from the snapshots so far. Staggered: one plot per 20 ms, so the pacer never waits."""
        d = self.series.view()
        self.n_updates += 1
        if d.shape[0] == 0:
            for c in (self.hr_curve, self.tone_curve, self.res_curve, self.breath_curve):
                c.setData([], [])
            self.coh_curve.setData([], [])
            return
        t = d[:, 0]
        end = t[-1] if now_s is None else now_s
        steps = [lambda: self._draw_hr(d, t, end), lambda: self._draw_tone(d, t), lambda: self._draw_res(d, t)]
        if not staggered:
            for f in steps:
                f()
            return
        self._steps = steps
        self._step()
        self._stepper.start()

    def _step(self) -> None:
        if not self._steps:
            self._stepper.stop()
            return
        self._steps.pop(0)()

    def _set_y(self, key: str, plot, lo: float, hi: float, min_span: float) -> None:
        if not (np.isfinite(lo) and np.isfinite(hi)):
            return
        r = nice_range(lo, hi, self._ranges.get(key), min_span)
        if r != self._ranges.get(key):
            self._ranges[key] = r
            plot.setYRange(*r, padding=0)

    def _set_session_x(self, t_end: float) -> None:
        right = minute_ceiling(t_end)
        if self._ranges.get("session_x") != (0.0, right):
            self._ranges["session_x"] = (0.0, right)
            for p in (self.p_tone, self.p_res):
                p.setXRange(0.0, right, padding=0)

    def _draw_hr(self, d: np.ndarray, t: np.ndarray, end: float) -> None:
        sel = (t > end - HR_WINDOW_S) & (d[:, 6] > 0)
        hr = d[sel, 1]
        self.hr_curve.setData(t[sel] - end, hr)  # seconds ago: the axis stays put
        if not hr.size:
            return
        lo, hi = float(np.nanmin(hr)), float(np.nanmax(hr))
        span = max(hi - lo, 4.0)
        self._set_y("hr", self.p_hr, lo - 0.12 * span, hi + 0.12 * span, 10.0)
        if self.schedule is not None:
            g = np.linspace(-HR_WINDOW_S, 0.0, 240)
            vol = self.schedule.volume_at(g + end)
            paced = self.schedule.rate_at(g + end) > 0
            y0, y1 = self._ranges["hr"]
            base = y0 + 0.02 * (y1 - y0)
            y = np.where(paced, base + 0.9 * (y1 - y0) * vol, np.nan)
            self.breath_curve.setData(g, y, fillLevel=base)
        self._draw_chest(end)

    def _draw_chest(self, end: float) -> None:
        """The chest's breath over the same band as the pacer's curve: its 2-98th percentiles in the window
        span the pacer's empty-to-full, so a breath that follows the pacer lies on its curve."""
        if not self.chest_oriented or self.chest_t_s.size < 2:
            self.chest_curve.setData([], [])
            return
        i0, i1 = np.searchsorted(self.chest_t_s, (end - HR_WINDOW_S, end))
        t, w = self.chest_t_s[i0:i1], self.chest_mg[i0:i1]
        if t.size < 2:
            self.chest_curve.setData([], [])
            return
        lo, hi = np.percentile(w, (2, 98))
        y0, y1 = self._ranges["hr"]
        base = y0 + 0.02 * (y1 - y0)
        vol = np.clip((w - lo) / max(hi - lo, 1e-9), -0.05, 1.05)
        self.chest_curve.setData(t - end, base + 0.9 * (y1 - y0) * vol)

    def _draw_tone(self, d: np.ndarray, t: np.ndarray) -> None:
        self.tone_curve.setData(t, d[:, 2], connect="finite")
        self._set_session_x(t[-1])
        v = d[:, 2][np.isfinite(d[:, 2])]
        if v.size:
            lo, hi = float(v.min()), float(v.max())
            if self.baseline_line.isVisible():
                lo, hi = min(lo, self.baseline_line.value()), max(hi, self.baseline_line.value())
            self._set_y("tone", self.p_tone, max(0.0, lo * 0.9), hi * 1.1, 5.0)

    def _draw_res(self, d: np.ndarray, t: np.ndarray) -> None:
        self.res_curve.setData(t, d[:, 4], connect="finite")
        self.coh_curve.setData(t, d[:, 5], connect="finite")
        self._set_session_x(t[-1])
        for key, col, view, floor in (("res", 4, self.p_res, 10.0), ("coh", 5, self.coh_view, 0.5)):
            v = d[:, col][np.isfinite(d[:, col])]
            if v.size:
                self._set_y(key, view, 0.0, float(v.max()) * 1.05, floor)

    def set_baseline(self, rmssd_ms: float | None) -> None:
        if rmssd_ms is None or not np.isfinite(rmssd_ms):
            if self.baseline_line.isVisible():
                self.baseline_line.hide()
                self.legends[1].removeItem(self.baseline_key)
        else:
            self.baseline_line.setValue(rmssd_ms)
            if not self.baseline_line.isVisible():
                self.baseline_line.show()
                self.legends[1].addItem(self.baseline_key, "baseline")

    def set_spectrum(self, f_hz: np.ndarray, psd: np.ndarray, pacer_hz: float) -> None:
        sel = f_hz <= 0.5
        self.waiting[3].setVisible(not sel.any())
        self.psd_curve.setData(f_hz[sel], psd[sel])
        if sel.any():
            self._set_y("psd", self.p_psd, 0.0, float(np.max(psd[sel])) * 1.05, 10.0)
        if pacer_hz > 0:
            self.pacer_line.setValue(pacer_hz)
            self.pacer_line.show()
        else:
            self.pacer_line.hide()
