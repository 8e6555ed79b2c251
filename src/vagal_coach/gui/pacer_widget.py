"""The breathing pacer: a circle that grows on the inhale and shrinks on the exhale, with a cue.

Its geometry is a pure function of time and the schedule (``pacer_geometry``), so it is testable
without a clock; the widget only repaints at about 60 frames a second.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QWidget

from vagal_coach.gui.theme import DARK, Theme
from vagal_coach.session.pacer import PacerSchedule, PacerState

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
    def __init__(self, clock: Callable[[], float], schedule: Callable[[], PacerSchedule | None],
                 theme: Theme = DARK, parent: QWidget | None = None, fps: int = 60) -> None:
        super().__init__(parent)
        self.clock = clock
        self.schedule = schedule
        self.theme = theme
        self.hidden_pacer = False
        self.setMinimumSize(220, 220)
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.timer.start(int(1000 / fps))
        self.frame_times: list[float] = []  # for the frame-gap benchmark
        self.record_frames = False
        self.last_state: PacerState | None = None

    def _tick(self) -> None:
        if self.record_frames:
            self.frame_times.append(time.perf_counter())
        self.update()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        w, h = self.width(), self.height()
        p.fillRect(self.rect(), QColor(self.theme.background))
        max_r = 0.42 * min(w, h - 60)
        sched = None if self.hidden_pacer else self.schedule()
        r, st = pacer_geometry(sched, self.clock(), max_r)
        self.last_state = st
        c = QPointF(w / 2, (h - 40) / 2)
        # the outer guide ring: where a full breath reaches
        p.setPen(QPen(QColor(self.theme.muted), 1.5, Qt.DashLine))
        p.setBrush(Qt.NoBrush)
        p.drawEllipse(c, max_r, max_r)
        if st is not None and st.stage != "none":
            fill = QColor(self.theme.pacer_fill)
            p.setPen(QPen(QColor(self.theme.pacer_edge), 3))
            p.setBrush(fill)
            p.drawEllipse(c, r, r)
            cue = st.cue
        else:
            cue = "breathe at your own pace" if not self.hidden_pacer else "pacer hidden"
        f = QFont(self.font())
        f.setPointSizeF(max(12.0, min(w, h) / 18))
        p.setFont(f)
        p.setPen(QColor(self.theme.text))
        p.drawText(QRectF(0, h - 56, w, 48), Qt.AlignCenter, cue)
        p.end()
