"""Resonance-frequency assessment report: recommendation, evidence table, and the figures behind it."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from vagal_coach import __version__
from vagal_coach.analysis.assessment import EVIDENCE_COLUMNS, evidence_rows
from vagal_coach.hrv.resonance import Recommendation
from vagal_coach.io.model import Recording
from vagal_coach.report.analysis_pdf import A4, C_BLUE, C_GREEN, C_GREY, C_ORANGE, C_VERM, DISCLAIMER, _fmt


def write_resonance_report(rec: Recording, result: Recommendation, out: Path, *, force: bool = False,
                           inputs: Iterable[str | os.PathLike[str]] = ()) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    from vagal_coach.io.atomic import atomic_path
    from vagal_coach.session.pacer import PacerSchedule

    with atomic_path(out, force=force, inputs=inputs) as tmp, PdfPages(tmp) as pdf:
        fig = plt.figure(figsize=A4)
        fig.text(0.07, 0.955, "Resonance breathing rate assessment", fontsize=17, weight="bold")
        fig.text(0.07, 0.935, DISCLAIMER, fontsize=7.5, color=C_GREY)
        facts = [("File", rec.name), ("Recorded", rec.start_utc or "unknown"), ("Profile", rec.profile or "-"),
                 ("Protocol", f"{result.protocol} ({len(result.rates)} "
                  + ("rates" if result.protocol == "stepped" else "stretches of the sweep") + ")")]
        y = 0.905
        for k, v in facts:
            fig.text(0.07, y, k, fontsize=9, weight="bold")
            fig.text(0.25, y, str(v)[:95], fontsize=9)
            y -= 0.018
        if result.recommended_bpm is not None:
            head = (f"Recommended rate: {result.recommended_bpm:g} breaths/min "
                    f"(confidence {100 * result.confidence:.0f} %)")
            colour = C_GREEN
        else:
            head, colour = "No rate recommended", C_VERM
        fig.text(0.07, y - 0.012, head, fontsize=13, weight="bold", color=colour)
        fig.text(0.07, y - 0.034, result.reason[:120], fontsize=8.5)
        fig.text(0.07, y - 0.05, "Scored on the criteria of Shaffer & Meehan (2020): phase nearest 0°, largest "
                 "peak-to-trough HR, LF power,\nLF peak, smoothest curve, fewest LF peaks. The recommended "
                 "rate is shaded.", fontsize=7.5,
                 color=C_GREY)
        ax = fig.add_axes((0.05, 0.50, 0.9, y - 0.09 - 0.50))
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
                elif result.recommended_bpm is not None and \
                        abs(result.rates[i - 1].rate_bpm - result.recommended_bpm) < 1e-6:
                    cell.set_facecolor("#d8f0e6")
        # criteria per rate
        rates = np.array([r.rate_bpm for r in result.rates])
        panels = (("peak_to_trough_bpm", "peak-to-trough (bpm)", C_BLUE),
                  ("resonance_power_ms2", "power at the pacer (ms²)", C_ORANGE),
                  ("lf_ms2", "LF power (ms²)", C_GREEN), ("phase_deg", "HR-breathing phase (°)", C_VERM))
        for k, (attr, title, c) in enumerate(panels):
            a = fig.add_axes((0.08 + 0.47 * (k % 2), 0.27 - 0.21 * (k // 2), 0.38, 0.15))
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
        for k, r in enumerate(shown):
            a = fig.add_axes((0.09, 0.87 - (k + 1) * 0.84 / n + 0.02, 0.84, 0.84 / n - 0.045))
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
