"""The replay window: a recording through the same session pipeline as ``replay --headless`` (the strap's
notifications and its raw ECG and ACC frames, link events and all), so every figure on screen is the headless
one; play, 1x-16x, seek, markers (listed in full, jumpable, addable), exports."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QInputDialog

from vagal_coach.clock import Clock, mmss
from vagal_coach.gui import work
from vagal_coach.gui.main_window import MainWindow
from vagal_coach.gui.save import save_target
from vagal_coach.gui.settings import keep_view, load_settings
from vagal_coach.model.pacer import PacerSchedule
from vagal_coach.session.engine import LiveEngine, Snapshot
from vagal_coach.session.summary import Summary, breath_line, summary_lines

__all__ = ["ReplayController", "breath_line", "replay_error", "replay_session"]


def replay_error(path: str | Path, e: BaseException) -> str:
    """One line for whatever stopped a replay of ``path`` (issue 17): the reader's own words for a damaged
    recording (naming the file and line), else the exception's, as the CLI words an unexpected one."""
    from vagal_coach.errors import UserError

    if isinstance(e, UserError):
        return str(e) if e.path is not None else str(UserError(e.message, path=path, line=e.line))
    return str(UserError(f"unexpected {type(e).__name__}: {e} (a bug in vagal-coach)", path=path))


def replay_session(rec: Any, schedule: PacerSchedule | None) -> Any:
    """A :class:`~vagal_coach.session.runner.Session` over the recording's replay, as ``replay --headless``
    builds it (no recorder: a replay never writes)."""
    from vagal_coach.sensors.replay import ReplaySource
    from vagal_coach.session.runner import Session

    return Session(ReplaySource(rec, Clock(math.inf)), LiveEngine(schedule), None, Clock(math.inf))

SPECTRUM_EVERY = 3
SEEK_CHUNK = 5000  # events fed between two frames of a long seek
CHECKPOINT_S = 180.0  # the session's state is kept every 3 min of recording: a seek back starts there


class ReplayController:
    """Replay a recording: play/pause, 1x-16x, seek, markers (listed in full, jumpable, addable), exports.

    The recording's events (``ReplaySource.timeline``: notifications, raw ECG/ACC frames, link events) go
    through a :class:`Session` as in ``replay --headless``; a seek back starts the session again from the
    beginning (the beat clock, the ECG detector and the breath finder have a history), a seek on goes on."""

    def __init__(self, path: str, theme: str | None = None, scale: float | None = None) -> None:
        from vagal_coach.io import read_recording
        from vagal_coach.sensors.replay import ReplaySource

        self.rec = read_recording(path)
        self.path = Path(path)
        st = load_settings()
        self.schedule = PacerSchedule(self.rec.pacer) if self.rec.pacer else None
        self.events = ReplaySource(self.rec).timeline()
        self.event_t_s = [ev.t_s for ev in self.events]
        # to the last event sent (a frame or notification may come after the last beat)
        self.duration_s = max(self.rec.duration_s, self.event_t_s[-1] if self.event_t_s else 0.0)
        self.window = MainWindow(mode="replay", theme=theme or st.get("theme", "dark"),
                                 scale=scale or float(st.get("scale", 1.0)), clock=self.position,
                                 schedule=lambda: self.schedule, replay_duration_s=self.duration_s)
        self.window.setWindowTitle(f"vagal-coach — replay of {self.rec.name}")
        self.window.view_changed.connect(keep_view)
        self.window.plots.schedule = self.schedule
        self.speed = 1.0
        self.playing = False
        self.start_s = 0.0
        self.clock = Clock(self.speed)
        self.task: asyncio.Future | None = None
        self.session: Any = None
        self._seek_task: asyncio.Future | None = None
        self._checkpoints: dict[int, tuple[int, int, Any]] = {}  # time cell -> (next event, snapshots, session)
        self._final = False  # the end reached: the tiles show the session summary
        self._next = 0
        self.last: Snapshot | None = None
        self.snapshots: list[Snapshot] = []
        bar = self.window.replay_bar
        assert bar is not None
        bar.play_toggled.connect(self.set_playing)
        bar.seek_requested.connect(self.request_seek)
        bar.speed_changed.connect(self.set_speed)
        self.window.marker_requested.connect(self.add_marker)
        self.window.export_requested.connect(lambda k: asyncio.ensure_future(self.export(k)))
        self.markers = [(m.t_s, m.label + (f" — {m.note}" if m.note else "")) for m in self.rec.markers]
        # a guided session's prompts, shown at the replay position as the client saw them
        prompts = sorted(self.rec.guided.prompts, key=lambda q: q.t_s)
        self.prompt_t_s, self.prompt_texts = [q.t_s for q in prompts], [q.text for q in prompts]
        info = self.rec.guided.info
        self.prompt_s = info.prompt_seconds if info is not None else 14.0
        if self.window.markers is not None:
            self.window.markers.set_markers(self.markers)
        self.timer = QTimer(self.window)
        self.timer.timeout.connect(self.redraw)
        self.timer.start(500)
        self.chest: tuple[Any, Any] | None = None  # the chest's breath (recordings with ACC)
        self.error = ""  # the one line of what stopped the replay, if anything did
        self.breath_text = ""
        self.seek(0.0)
        self.breath_task = asyncio.ensure_future(self._load_breathing()) if self.rec.acc is not None else None

    @property
    def engine(self) -> LiveEngine:
        return self.session.engine

    def failed(self, e: BaseException) -> None:
        """A step of the replay failed: one line in the status bar, naming the file; playing stops."""
        self._cancel()
        self.error = replay_error(self.path, e)
        self.window.status.setText(self.error)

    async def _load_breathing(self) -> None:
        """The recording's breathing waveform, computed in the background, then drawn under the pacer."""
        try:
            b = await work.run(work.chest_breathing, self.rec)
        except Exception as e:  # noqa: BLE001 - the replay goes on without the chest's breath, said in one line
            self.window.status.setText(replay_error(self.path, e))
            return
        self.chest = (b["waveform_t_s"], b["waveform_mg"])
        self.window.plots.set_chest(*self.chest)
        if b["n_breaths"]:
            self.breath_text = breath_line(b["n_breaths"], b["breathing_rate_bpm"], b["breath_share_following"],
                                           b["breath_median_lag_deg"])
            if not self.playing:
                self.window.status.setText(self.breath_text)
        self.redraw()

    def _restart(self, t_s: float = 0.0) -> None:
        """The session as it was at ``t_s`` or a little before: from the last checkpoint there (a copy of the
        session's state, taken on the way by), or from the start."""
        import copy

        cells = [c for c in self._checkpoints if self._checkpoints[c][0] <= self.event_t_s_at(t_s)]
        if cells:
            k, n, saved = self._checkpoints[max(cells)]
            self.session = copy.deepcopy(saved, self._memo(saved))
            self._next, self.snapshots = k, self.snapshots[:n]
        else:
            self.session = replay_session(self.rec, self.schedule)
            self._next, self.snapshots = 0, []
        self.session.on_snapshot.append(self._on_snapshot)
        self.last = self.snapshots[-1] if self.snapshots else None
        plots = self.window.plots
        plots.reset()
        for snap in self.snapshots:
            plots.add(snap)
        if self.chest is not None:
            plots.set_chest(*self.chest)

    def event_t_s_at(self, t_s: float) -> int:
        import bisect

        return bisect.bisect_right(self.event_t_s, t_s)

    def _memo(self, session: Any) -> dict:
        """What a checkpoint's copy shares with the original: the recording and its source (never changed)."""
        return {id(self.rec): self.rec, id(session.source): session.source, id(self.schedule): self.schedule}

    def _checkpoint(self, k: int) -> None:
        import copy

        s = self.session
        callbacks, s.on_snapshot = s.on_snapshot, []
        try:
            self._checkpoints[int(self.event_t_s[k] // CHECKPOINT_S)] = (k, len(self.snapshots),
                                                                         copy.deepcopy(s, self._memo(s)))
        finally:
            s.on_snapshot = callbacks

    def _on_snapshot(self, s: Snapshot) -> None:
        self.window.plots.add(s)
        self.snapshots.append(s)
        self.last = s

    def _feed_until(self, t_s: float) -> None:
        """Send the events up to ``t_s`` through the session."""
        import bisect

        i1 = bisect.bisect_right(self.event_t_s, t_s)
        handle = self.session.handle
        for k in range(self._next, i1):
            ev = self.events[k]
            if ev.t_s >= CHECKPOINT_S and int(ev.t_s // CHECKPOINT_S) not in self._checkpoints:
                self._checkpoint(k)  # the state before this event, for a later seek back
            handle(ev)
        self._next = max(self._next, i1)

    def position(self) -> float:
        return self.start_s + (self.clock.now() if self.playing else 0.0)

    def _seek_start(self, t_s: float) -> tuple[float, bool]:
        was = self.playing
        self._cancel()
        t_s = max(0.0, min(float(t_s), self.duration_s))
        self._final = False
        # the session has seen events after t_s: it starts again from a state kept before t_s
        if self.session is None or self._next > self.event_t_s_at(t_s):
            self._restart(t_s)
        return t_s, was

    def _seek_end(self, t_s: float, was: bool) -> None:
        self.start_s = t_s
        if t_s >= self.duration_s:
            self.show_summary()  # the end: the session's summary, as the headless replay prints it
        self.redraw(force_spectrum=True)
        if was and t_s < self.duration_s:
            self.set_playing(True)

    def seek(self, t_s: float) -> None:
        """Go to ``t_s``: on from here, or from the last state kept before it (or the start)."""
        if self._seek_task is not None:
            self._seek_task.cancel()  # this seek is newer
        t_s, was = self._seek_start(t_s)
        self._feed_until(t_s)
        self._seek_end(t_s, was)

    async def seek_async(self, t_s: float, chunk: int = SEEK_CHUNK) -> None:
        """:meth:`seek` a chunk of events at a time, the window drawing in between (a long way through a
        long recording never freezes it); a newer seek takes over from it."""
        try:
            t_s, was = self._seek_start(t_s)
            i1 = self.event_t_s_at(t_s)
            while self._next < i1:
                self._feed_until(self.event_t_s[min(self._next + chunk, i1) - 1])
                if self._next < i1:
                    assert self.window.replay_bar is not None
                    self.window.replay_bar.set_position(self.event_t_s[self._next - 1])
                    await asyncio.sleep(0)
            self._seek_end(t_s, was)
        except Exception as e:  # noqa: BLE001 - one line in the window, never a logged traceback
            self.failed(e)

    def request_seek(self, t_s: float) -> None:
        """The seek bar's and the markers' seek: in the background, the newest one wins."""
        if self._seek_task is not None:
            self._seek_task.cancel()
        self._seek_task = asyncio.ensure_future(self.seek_async(t_s))

    def _cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.task = None
        if self.playing:
            self.start_s = self.position()
        self.playing = False

    def set_speed(self, speed: float) -> None:
        was = self.playing
        self._cancel()
        self.speed = speed
        if was:
            self.set_playing(True)

    def set_playing(self, on: bool) -> None:
        if not on:
            self._cancel()
            return
        if self.playing:
            return
        self.clock = Clock(self.speed)
        self.playing = True
        self._final = False
        self.task = asyncio.ensure_future(self._play())

    async def _play(self) -> None:
        ts = self.event_t_s
        try:
            while self._next < len(ts):
                await asyncio.sleep(max(0.0, (ts[self._next] - self.position()) / self.speed))
                self._feed_until(self.position())
            self.start_s = self.duration_s
            self.playing = False
            self.show_summary()
        except Exception as e:  # noqa: BLE001 - one line in the window, never a logged traceback
            self.task = None  # this task is ending: not to be cancelled by ``failed``
            self.failed(e)

    def summary(self) -> Summary:
        """The session summary of what has been replayed (the figures ``replay --headless`` prints)."""
        from vagal_coach.session.summary import replay_summary

        pos = self.position()
        return replay_summary(self.session, self.snapshots, self.rec, None if pos >= self.duration_s else pos)

    def show_summary(self) -> None:
        self._final = True
        s = self.summary()
        self.window.numbers.show_final(s.tiles(), s.duration_s)
        self.window.status.setText(" · ".join(summary_lines(s)))

    def redraw(self, force_spectrum: bool = False) -> None:
        w = self.window
        pos = self.position()
        if not self._final:
            w.numbers.show_snapshot(self.last, pos)
        w.prompt.show_prompt(self.prompt_at(pos))
        w.plots.redraw(pos if self.last else None, staggered=False)
        assert w.replay_bar is not None
        w.replay_bar.set_position(pos)
        if force_spectrum or int(pos * 4) % SPECTRUM_EVERY == 0:
            f, p = self.engine.spectrum()
            w.plots.set_spectrum(f, p, (self.schedule.rate_scalar(pos) / 60.0) if self.schedule else 0.0)

    def prompt_at(self, t_s: float) -> str | None:
        from vagal_coach.session.guided import prompt_shown_at

        i = prompt_shown_at(self.prompt_t_s, t_s, self.prompt_s)
        return None if i is None else self.prompt_texts[i]

    def add_marker(self, label: str | None = None, note: str = "") -> None:
        t = self.position()
        if label is None:
            label, ok = QInputDialog.getText(self.window, "Marker", f"Marker at {mmss(t)}:")
            if not ok:
                return
            note, ok = QInputDialog.getMultiLineText(self.window, "Note", f"Note for '{label}' (optional):")
            note = note if ok else ""
        self.markers.append((t, label + (f" — {note}" if note else "")))
        self.markers.sort()
        if self.window.markers is not None:
            self.window.markers.set_markers(self.markers)
        from vagal_coach.errors import UserError
        from vagal_coach.io.notes import add_note

        try:  # beside the recording: the client's recording keeps its bytes
            side = add_note(self.path, t, label, note)
            self.window.status.setText(f"Marker saved beside the recording, in {side.name}")
        except UserError as e:
            self.window.status.setText(f"Marker kept for this review only: {e}")

    async def export(self, kind: str, out: Path | None = None) -> Path | None:
        suffix = {"pdf": ".pdf", "rr": ".txt", "edf": ".edf"}[kind]
        target = save_target(self.window, "Export", self.path.with_suffix(suffix), out)
        if target is None:
            return None
        out, chosen = target
        try:  # the job gets the recording and the markers as they are now; it changes neither
            await work.run(work.export_recording, self.rec, kind, str(out), list(self.markers), chosen)
        except Exception as e:  # noqa: BLE001
            self.window.status.setText(f"Export failed: {e}")
            return None
        self.window.status.setText(f"Exported {out}")
        return out
