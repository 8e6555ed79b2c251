"""Resonance-frequency assessment report: recommendation, evidence table, and the figures behind it."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from vagal_coach.analysis.assessment import EVIDENCE_COLUMNS, evidence_rows
from vagal_coach.hrv.resonance import Recommendation
from vagal_coach.model import Recording
from vagal_coach.report.analysis_pdf import A4, C_BLUE, C_GREEN, C_GREY, C_ORANGE, C_VERM, DISCLAIMER, _fmt
from vagal_coach.version import __version__

#: the evidence table's shading of the recommended rate's row
SHADE = "#d8f0e6"


def shaded_row(result: Recommendation) -> int | None:
    """The evidence table's row shaded as the recommended one: for a stepped protocol the rate
    recommended, for a sliding one the stretch of the sweep whose smoothed evidence was largest (the
    recommended rate is refined between stretches, so no row has it exactly); None without a
    recommendation."""
    if result.recommended_bpm is None:
        return None
    for i, r in enumerate(result.rates):
        if result.protocol == "stepped" and abs(r.rate_bpm - result.recommended_bpm) < 1e-6:
            return i
        if result.protocol != "stepped" and r.wins:
            return i
    return None


def write_resonance_report(rec: Recording, result: Recommendation, out: Path, *, force: bool = False,
                           inputs: Iterable[str | os.PathLike[str]] = ()) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    from vagal_coach.io.atomic import atomic_path
    from vagal_coach.model.pacer import PacerSchedule

    with atomic_path(out, force=force, inputs=inputs) as tmp, PdfPages(tmp) as pdf:
        fig = plt.figure(figsize=A4)
        fig.text(0.07, 0.955, "Resonance breathing rate assessment", fontsize=17, weight="bold")
        fig.text(0.07, 0.935, DISCLAIMER, fontsize=7.5, color=C_GREY)
        facts = [("File", rec.name), ("Recorded", rec.start_utc or "unknown"), ("Profile", rec.profile or "-"),
                 ("Protocol", f"{result.protocol} ({len(result.rates)} "
                  + ("rates" if result.protocol == "stepped" else "stretches of the sweep") + ")")]
        y = 0.905
        for label, value in facts:
            fig.text(0.07, y, label, fontsize=9, weight="bold")
            fig.text(0.25, y, str(value)[:95], fontsize=9)
            y -= 0.018
        if result.recommended_bpm is not None:
            head = (f"Recommended rate: {result.recommended_bpm:g} breaths/min "
                    f"(confidence {100 * result.confidence:.0f} %)")
            colour = C_GREEN
        else:
            head, colour = "No rate recommended", C_VERM
        shaded = shaded_row(result)
        y -= 0.012
        fig.text(0.07, y, head, fontsize=13, weight="bold", color=colour, va="top")
        y -= 0.026
        # every line of text on its own baseline, top-aligned from the one above: nothing overprints
        for line in textwrap.wrap(result.reason, 110) or [""]:
            fig.text(0.07, y, line, fontsize=8.5, va="top")
            y -= 0.015
        criteria = ("Scored on the criteria of Shaffer & Meehan (2020): phase nearest 0°, largest peak-to-trough HR, "
                    "LF power, LF peak, smoothest curve, fewest LF peaks." if result.protocol == "stepped" else
                    "Sliding protocol (Fisher & Lehrer 2022): largest peak-to-trough HR and power at the pacer's "
                    "rate along the sweep, smoothed over neighbouring stretches.")
        if shaded is not None:
            criteria += (" The recommended rate is shaded." if result.protocol == "stepped" else
                         f" The stretch of the sweep nearest the recommended rate is shaded "
                         f"({result.rates[shaded].rate_bpm:.2f} breaths/min).")
        y -= 0.004
        for line in textwrap.wrap(criteria, 125):
            fig.text(0.07, y, line, fontsize=7.5, color=C_GREY, va="top")
            y -= 0.013
        ax = fig.add_axes((0.05, 0.50, 0.9, y - 0.01 - 0.50))
        ax.axis("off")
        rows = evidence_rows(result)
        if rows:
            tab = ax.table(cellText=rows, colLabels=[c[0] for c in EVIDENCE_COLUMNS], loc="upper center",
                           cellLoc="center")
            tab.auto_set_font_size(False)
            tab.set_fontsize(7.5)
            tab.scale(1.0, 1.6)
            for (i, _j), cell in tab.get_celld().items():
                if i == 0:
                    cell.set_height(cell.get_height() * 1.7)
                    cell.set_facecolor("#eeeeee")
                elif shaded is not None and i - 1 == shaded:
                    cell.set_facecolor(SHADE)
        # criteria per rate
        rates = np.array([r.rate_bpm for r in result.rates])
        panels = (("peak_to_trough_bpm", "peak-to-trough (bpm)", C_BLUE),
                  ("resonance_power_ms2", "power at the pacer (ms²)", C_ORANGE),
                  ("lf_ms2", "LF power (ms²)", C_GREEN), ("phase_deg", "HR-breathing phase (°)", C_VERM))
        for j, (attr, title, c) in enumerate(panels):
            a = fig.add_axes((0.08 + 0.47 * (j % 2), 0.27 - 0.21 * (j // 2), 0.38, 0.15))
            v = np.array([getattr(r, attr) for r in result.rates], dtype=float)
            if rates.size:
                w = 0.8 * (np.min(np.abs(np.diff(rates))) if rates.size > 1 else 0.5)
                a.bar(rates, np.nan_to_num(v), width=w, color=c)
                if result.recommended_bpm is not None:
                    a.axvline(result.recommended_bpm, color=C_GREY, ls="--", lw=1)
            if attr == "phase_deg":
                a.axhline(0, color="k", lw=0.6)
            a.set_title(title, fontsize=8.5)
            a.set_xlabel("breaths/min", fontsize=7.5)
            a.tick_params(labelsize=7)
            a.invert_xaxis()  # the protocols go from fast to slow
        fig.text(0.07, 0.02, f"vagal-coach {__version__} · {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
                 fontsize=7, color=C_GREY)
        pdf.savefig(fig)
        plt.close(fig)

        # ---- page 2: the heart rate under the pacer, per stretch
        fig = plt.figure(figsize=A4)
        fig.text(0.07, 0.955, "Heart rate and the pacer", fontsize=14, weight="bold")
        t, rr = rec.beat_t_s, rec.rr_ms
        hr = 60000.0 / rr if rr.size else rr
        sched = PacerSchedule(rec.pacer)
        n = max(1, min(len(result.rates), 8))
        shown = result.rates if len(result.rates) <= 8 else \
            [result.rates[i] for i in np.linspace(0, len(result.rates) - 1, 8).astype(int)]
        for j, r in enumerate(shown):
            a = fig.add_axes((0.09, 0.87 - (j + 1) * 0.84 / n + 0.02, 0.84, 0.84 / n - 0.045))
            sel = (t >= r.start_s) & (t < r.end_s)
            a.plot(t[sel] / 60.0, hr[sel], color=C_BLUE, lw=0.9)
            if sel.any():
                g = np.linspace(r.start_s, r.end_s, 600)
                vol = sched.volume_at(g)
                lo, hi = np.nanpercentile(hr[sel], [5, 95])
                a2 = a.twinx()
                a2.fill_between(g / 60.0, vol, color=C_ORANGE, alpha=0.18, lw=0)
                a2.set_ylim(0, 1.05)
                a2.set_yticks([])
                a.set_ylim(lo - 3, hi + 3)
            a.set_title(f"{r.rate_bpm:.2f} breaths/min · peak-to-trough {_fmt(r.peak_to_trough_bpm, '{:.1f}')} bpm"
                        f" · phase {_fmt(r.phase_deg, '{:.0f}')}°", fontsize=8)
            a.set_ylabel("HR (bpm)", fontsize=7)
            a.tick_params(labelsize=7)
        fig.text(0.5, 0.025, "minutes (shaded: the pacer's breathing curve, inhale up)", ha="center", fontsize=8)
        pdf.savefig(fig)
        plt.close(fig)
