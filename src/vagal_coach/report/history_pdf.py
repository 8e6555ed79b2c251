"""Progress report across sessions, for a clinician: the sessions table and the trends over weeks."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from vagal_coach.clock import mmss
from vagal_coach.report.analysis_pdf import A4, C_BLUE, C_GREY, C_ORANGE, C_VERM, DISCLAIMER, _fmt
from vagal_coach.session.library import TRENDS, progress, weekly_median
from vagal_coach.version import __version__

ROWS_PER_PAGE = 38


def _utc(t_s: np.ndarray) -> np.ndarray:
    """Unix seconds as UTC datetimes matplotlib draws on a date axis."""
    return (np.asarray(t_s, dtype=float) * 1000.0).astype("datetime64[ms]")


def _row(r: dict) -> list[str]:
    dur = r.get("duration_s")
    length = mmss(dur) if isinstance(dur, (int, float)) else "n/a"
    base = [(r.get("start_utc") or "")[:16].replace("T", " "), str(r.get("profile") or ""),
            str(r.get("kind") or "")]
    if r.get("status") != "ok":
        return base + ["UNREADABLE: " + Path(str(r.get("path"))).name, "", "", "", "", ""]
    return base + [length, _fmt(r.get("rate_bpm"), "{:.1f}"), _fmt(r.get("resting_ln_rmssd"), "{:.2f}"),
                   _fmt(r.get("session_rmssd_ms"), "{:.0f}"), _fmt(r.get("resonance_power_ms2"), "{:.0f}"),
                   _fmt(r.get("rating"), "{:.0f}")]


HEADERS = ["date (UTC)", "profile", "kind", "length", "rate\n/min", "rest\nlnRMSSD", "RMSSD\nms", "res. power\nms²",
           "feel\n0-10"]


def write_history_report(rows: list[dict], out: Path, profile: str | None = None, *, force: bool = False,
                         inputs: Iterable[str | os.PathLike[str]] = ()) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    from vagal_coach.io.atomic import atomic_path

    ok = [r for r in rows if r.get("status") == "ok"]
    bad = [r for r in rows if r.get("status") != "ok"]
    with atomic_path(out, force=force, inputs=inputs) as tmp, PdfPages(tmp) as pdf:
        fig = plt.figure(figsize=A4)
        fig.text(0.07, 0.955, "Progress across sessions", fontsize=17, weight="bold")
        fig.text(0.07, 0.935, DISCLAIMER, fontsize=7.5, color=C_GREY)
        dates = [r["start_utc"] for r in ok if r.get("start_utc")]
        facts = [("Profile", profile or "all profiles"), ("Sessions", f"{len(ok)} readable"
                 + (f", {len(bad)} unreadable (listed at the end)" if bad else "")),
                 ("From", (min(dates)[:10] + " to " + max(dates)[:10]) if dates else "n/a"),
                 ("Kinds", ", ".join(f"{k} {sum(r.get('kind') == k for r in ok)}"
                                     for k in sorted({str(r.get('kind')) for r in ok})) or "n/a")]
        y = 0.905
        for label, value in facts:
            fig.text(0.07, y, label, fontsize=9, weight="bold")
            fig.text(0.25, y, value[:95], fontsize=9)
            y -= 0.018
        trends = progress(rows)
        colours = (C_BLUE, C_ORANGE, C_VERM)
        for k, (col, title, unit) in enumerate(TRENDS):
            a = fig.add_axes((0.1, 0.6 - 0.25 * k, 0.83, 0.17))
            t, v = trends[col]
            if t.size:
                a.plot(_utc(t), v, "o", color=colours[k], ms=4, alpha=0.7, label="session")
                wt, wv = weekly_median(t, v)
                if wt.size > 1:
                    a.plot(_utc(wt), wv, "-", color=colours[k], lw=2,
                           label="weekly median")
                a.legend(fontsize=7, loc="upper left", frameon=False)
                a.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
            else:
                a.text(0.5, 0.5, "no sessions with this figure yet", ha="center", va="center", fontsize=8,
                       color=C_GREY, transform=a.transAxes)
            a.set_title(f"{title} ({unit})", fontsize=9)
            a.tick_params(labelsize=7)
        fig.text(0.07, 0.065, "Resting lnRMSSD: the unpaced part before the pacer starts (baseline, settle "
                 "phase). Session RMSSD and resonance power: the paced part.", fontsize=7.5, color=C_GREY)
        fig.text(0.07, 0.02, f"vagal-coach {__version__} · {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
                 fontsize=7, color=C_GREY)
        pdf.savefig(fig)
        plt.close(fig)

        table = [_row(r) for r in ok + bad]
        for page in range(0, max(1, len(table)), ROWS_PER_PAGE):
            fig = plt.figure(figsize=A4)
            fig.text(0.07, 0.955, "Sessions", fontsize=14, weight="bold")
            ax = fig.add_axes((0.04, 0.05, 0.92, 0.88))
            ax.axis("off")
            chunk = table[page:page + ROWS_PER_PAGE]
            if chunk:
                tab = ax.table(cellText=chunk, colLabels=HEADERS, loc="upper center", cellLoc="center")
                tab.auto_set_font_size(False)
                tab.set_fontsize(7)
                tab.scale(1.0, 1.25)
                for (i, _j), cell in tab.get_celld().items():
                    if i == 0:
                        cell.set_facecolor("#eeeeee")
                        cell.set_height(cell.get_height() * 1.6)
                    elif chunk[i - 1][3].startswith("UNREADABLE"):
                        cell.set_facecolor("#f8dcd0")
            else:
                ax.text(0.5, 0.9, "no recordings yet", ha="center", fontsize=10)
            pdf.savefig(fig)
            plt.close(fig)
        if bad:
            fig = plt.figure(figsize=A4)
            fig.text(0.07, 0.955, "Unreadable recordings", fontsize=14, weight="bold")
            yy = 0.92
            for r in bad[:60]:
                fig.text(0.07, yy, str(r.get("error") or r.get("path"))[:130], fontsize=7)
                yy -= 0.014
            pdf.savefig(fig)
            plt.close(fig)
