"""The trainer's resonance assessment: a finished protocol recording assessed in the background, the result
shown with its evidence, the rate used (saved in the client's profile), a fine-tune offered, the report."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from vagal_coach.gui import work
from vagal_coach.gui.save import save_target


class ResonanceJobs:
    """Part of :class:`vagal_coach.gui.train.TrainController`."""

    window: Any
    profile: str
    result_dialog: Any

    async def assess(self, path: Path | None) -> Any:
        """Assess the finished protocol recording and show the result with its evidence."""
        from vagal_coach.errors import UserError
        from vagal_coach.gui.resonance_view import ResonanceResult

        w = self.window
        try:
            rec, result = await work.run(work.assess_file, str(path))
        except UserError as e:
            w.status.setText(f"Resonance assessment: {e.message}")
            return None
        dlg = ResonanceResult(result, self.profile, w)
        dlg.use_requested.connect(lambda bpm: self.use_resonance(bpm, result, str(path)))
        dlg.fine_tune_requested.connect(lambda bpm: self.fine_tune(bpm, result, str(path)))
        dlg.report_requested.connect(lambda: asyncio.ensure_future(self.resonance_report(rec, result)))
        self.result_dialog = dlg
        dlg.show()
        return result

    def use_resonance(self, bpm: float, result: Any, source: str) -> None:
        from vagal_coach.session.library import save_resonance

        save_resonance(self.profile, bpm, result.confidence, result.protocol, source)
        self.set_profile(self.profile)  # type: ignore[attr-defined]
        self.window.pacer_controls.rate.setValue(bpm)
        self.window.status.setText(f"{bpm:g} breaths/min is now {self.profile}'s pacer rate.")

    def fine_tune(self, bpm: float, result: Any, source: str) -> None:
        self.use_resonance(bpm, result, source)
        self.window.session_panel.select_kind("rf-fine-tune")
        if self.result_dialog is not None:
            self.result_dialog.close()
        self.window.status.setText(f"Fine-tune around {bpm:g} breaths/min selected: press Start when ready.")

    async def resonance_report(self, rec: Any, result: Any, out: Path | None = None) -> Path | None:
        target = save_target(self.window, "Resonance report", Path(str(rec.path)).with_suffix(".resonance.pdf"), out)
        if target is None:
            return None
        out, chosen = target
        await work.run(work.resonance_report, rec, result, str(out), chosen)
        self.window.status.setText(f"Report saved: {out}")
        return out
