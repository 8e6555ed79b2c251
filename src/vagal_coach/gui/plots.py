"""Live plots (pyqtgraph): beat-by-beat HR with the breathing curve, vagal tone over the session,
resonance power and coherence over the session, and the live spectrum. They draw snapshots; no
metric is computed here."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

from vagal_coach.gui.theme import DARK, Theme
from vagal_coach.hrv.spectral import BANDS_HZ
from vagal_coach.session.engine import Snapshot
from vagal_coach.session.pacer import PacerSchedule

HR_WINDOW_S = 75.0


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
        self.baseline_ln_rmssd: float | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        # one view per plot: a change repaints only its own view, and redraws are spread over frames
        self.views = [pg.PlotWidget() for _ in range(4)]
        for v in self.views:
            # a plot paints all of its pixels: its parents need not repaint under it
            v.setAttribute(Qt.WA_OpaquePaintEvent)
            v.viewport().setAttribute(Qt.WA_OpaquePaintEvent)
            lay.addWidget(v)
        self.p_hr, self.p_tone, self.p_res, self.p_psd = (v.getPlotItem() for v in self.views)
        for p, title in zip((self.p_hr, self.p_tone, self.p_res, self.p_psd), (
                "Heart rate, beat by beat (bpm) with the breathing pacer", "Vagal tone: RMSSD over the last 60 s (ms)",
                "Resonance power at the pacer (ms²) and coherence", "Spectrum of the last 2 minutes (LF band shaded)")):
            p.setTitle(title)
        self._steps: list = []
        self._stepper = QTimer(self)
        self._stepper.setInterval(20)
        self._stepper.timeout.connect(self._step)
        self.p_psd.getAxis("bottom").enableAutoSIPrefix(False)
        for p in (self.p_hr, self.p_tone, self.p_res, self.p_psd):
            p.showGrid(x=True, y=True, alpha=0.15)
            p.setMenuEnabled(False)
        self.breath_curve = self.p_hr.plot([], [], pen=None, fillLevel=0, brush=pg.mkBrush(theme.breath))
        self.hr_curve = self.p_hr.plot([], [], pen=pg.mkPen(theme.hr, width=2.5), symbol="o", symbolSize=4,
                                       symbolBrush=theme.hr, symbolPen=None)
        self.tone_curve = self.p_tone.plot([], [], pen=pg.mkPen(theme.rmssd, width=2))
        self.baseline_line = pg.InfiniteLine(angle=0, pen=pg.mkPen(theme.muted, style=pg.QtCore.Qt.DashLine),
                                             label="baseline", labelOpts={"position": 0.05, "color": theme.muted})
        self.p_tone.addItem(self.baseline_line)
        self.baseline_line.hide()
        self.res_curve = self.p_res.plot([], [], pen=pg.mkPen(theme.resonance, width=2), name="resonance")
        self.coh_view = pg.ViewBox()
        self.p_res.showAxis("right")
        self.p_res.scene().addItem(self.coh_view)
        self.p_res.getAxis("right").linkToView(self.coh_view)
        self.p_res.getAxis("right").setLabel("coherence")
        self.coh_view.setXLink(self.p_res)
        self.coh_curve = pg.PlotCurveItem(pen=pg.mkPen(theme.rmssd, width=1.5, style=pg.QtCore.Qt.DotLine))
        self.coh_view.addItem(self.coh_curve)
        self.p_res.vb.sigResized.connect(lambda: self.coh_view.setGeometry(self.p_res.vb.sceneBoundingRect()))
        lo, hi = BANDS_HZ["lf"]
        self.lf_region = pg.LinearRegionItem((lo, hi), movable=False, brush=pg.mkBrush(theme.band))
        self.p_psd.addItem(self.lf_region)
        self.psd_curve = self.p_psd.plot([], [], pen=pg.mkPen(theme.text, width=1.5))
        self.pacer_line = pg.InfiniteLine(angle=90, pen=pg.mkPen(theme.hr, width=1.5), label="pacer",
                                          labelOpts={"position": 0.9, "color": theme.hr})
        self.p_psd.addItem(self.pacer_line)
        self.p_psd.getAxis("bottom").enableAutoSIPrefix(False)  # before any range is set: no "x0.001"
        self.p_psd.setLabel("bottom", "frequency (Hz)")
        self.p_psd.setXRange(0, 0.4)
        self.p_hr.setLabel("bottom", "s")
        self.p_tone.setLabel("bottom", "s")
        self.p_res.setLabel("bottom", "s")
        self.n_updates = 0

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.hr_curve.setPen(pg.mkPen(theme.hr, width=2.5))
        self.hr_curve.setSymbolBrush(theme.hr)
        self.breath_curve.setBrush(pg.mkBrush(theme.breath))
        self.tone_curve.setPen(pg.mkPen(theme.rmssd, width=2))
        self.res_curve.setPen(pg.mkPen(theme.resonance, width=2))
        self.psd_curve.setPen(pg.mkPen(theme.text, width=1.5))
        for v in self.views:
            v.setBackground(theme.panel)
        for p in (self.p_hr, self.p_tone, self.p_res, self.p_psd):
            p.titleLabel.setAttr("color", theme.muted)
            p.titleLabel.setText(p.titleLabel.text)
            for ax in ("left", "bottom", "right"):
                a = p.getAxis(ax)
                a.setPen(theme.muted)
                a.setTextPen(theme.muted)

    def reset(self) -> None:
        self.series.clear()
        self.redraw()

    def add(self, s: Snapshot) -> None:
        self.series.append((s.t_s, s.hr_bpm, s.rmssd_ms, s.ln_rmssd, s.resonance_ms2, s.coherence,
                            1.0 if s.accepted else 0.0))

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
        steps = [lambda: self._draw_hr(d, t, end), lambda: self.tone_curve.setData(t, d[:, 2], connect="finite"),
                 lambda: self._draw_res(d, t)]
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

    def _draw_hr(self, d: np.ndarray, t: np.ndarray, end: float) -> None:
        sel = (t > end - HR_WINDOW_S) & (d[:, 6] > 0)
        hr = d[sel, 1]
        self.hr_curve.setData(t[sel], hr)
        if self.schedule is not None and hr.size:
            lo, hi = float(np.nanmin(hr)), float(np.nanmax(hr))
            span = max(hi - lo, 4.0)
            g = np.linspace(end - HR_WINDOW_S, end, 240)
            vol = self.schedule.volume_at(g)
            paced = self.schedule.rate_at(g) > 0
            y = np.where(paced, lo - 0.1 * span + 1.2 * span * vol, np.nan)
            self.breath_curve.setData(g, y, fillLevel=lo - 0.1 * span)
        self.p_hr.setXRange(end - HR_WINDOW_S, end, padding=0)

    def _draw_res(self, d: np.ndarray, t: np.ndarray) -> None:
        self.res_curve.setData(t, d[:, 4], connect="finite")
        self.coh_curve.setData(t, d[:, 5], connect="finite")
        self.coh_view.enableAutoRange()

    def set_baseline(self, rmssd_ms: float | None) -> None:
        if rmssd_ms is None or not np.isfinite(rmssd_ms):
            self.baseline_line.hide()
        else:
            self.baseline_line.setValue(rmssd_ms)
            self.baseline_line.show()

    def set_spectrum(self, f_hz: np.ndarray, psd: np.ndarray, pacer_hz: float) -> None:
        sel = f_hz <= 0.5
        self.psd_curve.setData(f_hz[sel], psd[sel])
        if pacer_hz > 0:
            self.pacer_line.setValue(pacer_hz)
            self.pacer_line.show()
        else:
            self.pacer_line.hide()
