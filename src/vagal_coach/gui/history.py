"""The trainer's history: the session library read in the background, trends and every session shown,
a session opened in a replay window, the progress report."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from vagal_coach.gui import work
from vagal_coach.gui.save import save_target
from vagal_coach.paths import data_dir


class HistoryJobs:
    """Part of :class:`vagal_coach.gui.train.TrainController`."""

    window: Any
    profile: str
    history: Any
    replays: list

    def open_history(self) -> Any:
        from vagal_coach.gui.history_view import HistoryView
        from vagal_coach.session.library import list_profiles

        if self.history is None:
            self.history = HistoryView(self.window.theme, list_profiles(), self.profile)
            self.history.profile_changed.connect(lambda _p: asyncio.ensure_future(self.load_history()))
            self.history.rebuild_requested.connect(lambda: asyncio.ensure_future(self.load_history(rebuild=True)))
            self.history.open_requested.connect(self.open_replay)
            self.history.report_requested.connect(lambda: asyncio.ensure_future(self.history_report()))
            self.window.view_changed.connect(lambda *_a: self._theme_history())
            if self.window.screen() is not None:
                self.history.fit_to(self.window.screen().availableGeometry())
        self._theme_history()
        self.history.show()
        self.history.raise_()
        return asyncio.ensure_future(self.load_history())

    def _theme_history(self) -> None:
        if self.history is not None:
            self.history.set_theme(self.window.theme, self.window.scale)

    async def load_history(self, rebuild: bool = False) -> list[dict]:
        h = self.history
        h.summary.setText("reading the library…")
        profile = h.profile.currentData() or None  # read here, on the GUI thread: the job gets plain data
        rows = await work.run(work.library_rows, str(data_dir()), profile, rebuild)
        h.set_rows(rows)
        return rows

    def open_replay(self, path: str) -> Any:
        from vagal_coach.gui.replay import ReplayController, replay_error

        try:
            r = ReplayController(path)
        except Exception as e:  # noqa: BLE001 - a damaged recording (or a bug) is one line naming the file
            self.history.summary.setText(replay_error(path, e))
            return None
        self.replays.append(r)
        r.window.apply_theme(self.window.theme.name, self.window.scale)
        self.window.view_changed.connect(r.window.apply_theme)  # one theme and text size for every window
        r.window.show()
        return r

    async def history_report(self, out: Path | None = None) -> Path | None:
        target = save_target(self.history, "Progress report", Path.home() / "progress.pdf", out)
        if target is None:
            return None
        out, chosen = target
        rows, prof = self.history.rows[::-1], self.history.profile.currentData() or None
        await work.run(work.history_report, rows, str(out), prof, chosen)
        self.history.summary.setText(f"Report saved: {out}")
        return out
