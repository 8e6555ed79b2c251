"""The breathing pacer: a circle that grows on the inhale and shrinks on the exhale, with a cue.

Its geometry is a pure function of time and the schedule (``pacer_geometry``), so it is testable
without a clock; the widget only repaints at about 60 frames a second.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QWidget

from vagal_coach.gui.theme import DARK, Theme
from vagal_coach.model.pacer import PacerSchedule, PacerState

MIN_RADIUS_FRACTION = 0.35  # of the largest radius: the circle never vanishes on the exhale


def pacer_geometry(schedule: PacerSchedule | None, t_s: float, max_radius: float
                   ) -> tuple[float, PacerState | None]:
    """Radius to draw (px) and the pacer's state at ``t_s``."""
    if schedule is None:
        return max_radius * (MIN_RADIUS_FRACTION + 1.0) / 2.0, None
    st = schedule.state_at(t_s)
    r = max_radius * (MIN_RADIUS_FRACTION + (1.0 - MIN_RADIUS_FRACTION) * st.volume)
    return r, st


class PacerWidget(QWidget):
    turned = Signal(str)  # "inhale" or "exhale": the breath turns (for the optional chime)

    def __init__(self, clock: Callable[[], float], schedule: Callable[[], PacerSchedule | None],
                 theme: Theme = DARK, parent: QWidget | None = None, fps: int = 60) -> None:
        super().__init__(parent)
        self.clock = clock
        self.schedule = schedule
        self.theme = theme
        self.hidden_pacer = False
        self.idle_text = "breathe at your own pace"  # before Start: what the pacer will do
        self.setMinimumSize(220, 220)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # we paint every pixel we update: no parent repaint
        self._last_r: float | None = None
        self._last_cue: str | None = None
        self.set_theme(theme)
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.timer.start(int(1000 / fps))
        self.frame_times: list[float] = []  # for the frame-gap benchmark
        self.record_frames = False
        self.last_state: PacerState | None = None
        self._ring: QPixmap | None = None
        self._ring_key: tuple | None = None
        self._last_stage: str | None = None

    def _tick(self) -> None:
        if self.record_frames:
            self.frame_times.append(time.perf_counter())
        # repaint only what moves: the circle's square when the radius changed, the cue when it changed
        w, h = self.width(), self.height()
        max_r = 0.42 * min(w, h - 60)
        full = self.schedule()
        t = self.clock()
        r, st = pacer_geometry(full, t, max_r)
        # the turns are heard even with the pacer hidden (eyes closed)
        stage = st.stage if st is not None else None
        if stage != self._last_stage:
            if self._last_stage is not None and stage in ("inhale", "exhale"):
                self.turned.emit(stage)
            self._last_stage = stage
        if self.hidden_pacer:
            r, st = pacer_geometry(None, t, max_r)
        cue = self._cue(st)
        c = QPointF(w / 2, (h - 40) / 2)
        if self._last_r is None or abs(r - self._last_r) >= 0.25:
            m = r if self._last_r is None else max(r, self._last_r)
            m += 4
            self.update(int(c.x() - m), int(c.y() - m), int(2 * m) + 2, int(2 * m) + 2)
        if cue != self._last_cue:
            self.update(0, h - 56, w, 48)

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._fill = QColor(theme.pacer_fill)
        self._edge_pen = QPen(QColor(theme.pacer_edge), 3)
        self._last_cue = None
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        p.fillRect(_event.rect(), QColor(self.theme.background))
        max_r = 0.42 * min(w, h - 60)
        sched = None if self.hidden_pacer else self.schedule()
        r, st = pacer_geometry(sched, self.clock(), max_r)
        self.last_state = st
        self._last_r = r
        c = QPointF(w / 2, (h - 40) / 2)
        # the outer guide ring (where a full breath reaches), drawn once per size and theme
        key = (w, h, self.theme.name)
        if self._ring is None or self._ring_key != key:
            ring = self._ring = QPixmap(int(2 * max_r + 8), int(2 * max_r + 8))
            ring.fill(QColor(self.theme.background))
            rp = QPainter(ring)
            rp.setRenderHint(QPainter.RenderHint.Antialiasing)
            rp.setPen(QPen(QColor(self.theme.muted), 1.5, Qt.PenStyle.DashLine))
            rp.drawEllipse(QPointF(max_r + 4, max_r + 4), max_r, max_r)
            rp.end()
            self._ring_key = key
        p.drawPixmap(int(c.x() - max_r - 4), int(c.y() - max_r - 4), self._ring)
        if st is not None and st.stage != "none":
            p.setPen(self._edge_pen)
            p.setBrush(self._fill)
            p.drawEllipse(c, r, r)
        cue = self._cue(st)
        text_rect = QRectF(0, h - 56, w, 48)
        if _event.rect().intersects(text_rect.toRect()):
            p.setFont(self._cue_font(cue, w, min(w, h)))
            p.setPen(QColor(self.theme.text))
            p.drawText(text_rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, cue)
            self._last_cue = cue
        p.end()

    def _cue_font(self, cue: str, width: int, side: int) -> QFont:
        """The cue's font: large, but never wider than the widget (two lines at most)."""
        from PySide6.QtGui import QFontMetricsF

        f = QFont(self.font())
        size = max(12.0, side / 18)
        while True:
            f.setPointSizeF(size)
            fm = QFontMetricsF(f)
            r = fm.boundingRect(QRectF(0, 0, width - 8, 1000), Qt.TextWordWrap, cue)
            if (r.width() <= width - 8 and r.height() <= 48) or size <= 8.0:
                return f
            size -= 1.0

    def _cue(self, st: PacerState | None) -> str:
        if st is not None and st.stage != "none":
            return st.cue
        if self.hidden_pacer:
            return "pacer hidden"
        return self.idle_text if self.schedule() is None else "breathe at your own pace"

    def set_idle_text(self, text: str) -> None:
        if text != self.idle_text:
            self.idle_text = text
            self._last_cue = None
            self.update()
