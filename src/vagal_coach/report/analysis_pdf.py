"""The clinician's analysis report: two A4 pages, facts and metrics, then the figures."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from vagal_coach.analysis import SUMMARY_ROWS, Analysis, fmt_duration
from vagal_coach.hrv.spectral import BANDS_HZ
from vagal_coach.version import __version__

DISCLAIMER = ("vagal-coach supports breathing practice and HRV review. It is not a medical device; these "
              "figures are not a diagnosis.")
# Okabe-Ito colour-blind-safe palette
C_BLUE, C_ORANGE, C_GREEN, C_VERM, C_SKY, C_GREY = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#777777"
A4 = (8.27, 11.69)


def _fmt(v: object, f: str) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "n/a"
    if f == "dur":
        return fmt_duration(float(v))  # type: ignore[arg-type]
    return f.format(v)


def write_analysis_report(a: Analysis, out: Path, *, trend_window_s: float = 60.0, force: bool = False,
                          inputs: Iterable[str | os.PathLike[str]] = ()) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    from vagal_coach.io.atomic import atomic_path

    rec, m = a.recording, a.metrics
    settings = m["settings"]
    # an ectopic beat changes two intervals (the premature one and the compensatory one), a missed beat
    # splits one in two: the tachogram marks the intervals changed, named so in its legend and on page 1
    n_changed = int(np.count_nonzero(a.corrected))
    with atomic_path(out, force=force, inputs=inputs) as tmp, PdfPages(tmp) as pdf:
        # ---- page 1: facts, metrics, settings
        fig = plt.figure(figsize=A4)
        fig.text(0.07, 0.955, "HRV analysis report", fontsize=18, weight="bold")
        fig.text(0.07, 0.935, DISCLAIMER, fontsize=7.5, color=C_GREY)
        dev = rec.device or {}
        facts = [
            ("File", rec.name), ("Format", rec.format), ("Recorded", rec.start_utc or "unknown"),
            ("Device", " ".join(str(dev.get(k)) for k in ("name", "address") if dev.get(k)) or "unknown"),
            ("Profile", rec.profile or "-"), ("Length", fmt_duration(rec.duration_s)),
            ("Beats", f"{rec.n_beats}"),
            ("Artifacts", f"{settings['artifact_method']}: {sum(m['artifacts'].values())} artifacts, "
             f"{m['artifacts_pct']:.2f} % of beats"
             + (" (" + ", ".join(f"{k} {v}" for k, v in m["artifacts"].items() if v) + ")"
                if any(m["artifacts"].values()) else "")),
            ("Corrected", f"{n_changed} intervals changed by the correction (the tachogram's dots)"
             if settings["artifact_method"] != "none" else "nothing (artifacts: none)"),
            ("Gaps", f"{len(rec.gaps)}" + (f" ({sum(g.end_s - g.start_s for g in rec.gaps):.0f} s)"
                                             if rec.gaps else "")),
            ("Markers", f"{len(rec.markers)}"),
        ]
        y = 0.9
        for label, value in facts:
            fig.text(0.07, y, label, fontsize=9, weight="bold")
            fig.text(0.25, y, str(value)[:95], fontsize=9)
            y -= 0.018
        y -= 0.012
        fig.text(0.07, y, "Metrics", fontsize=12, weight="bold")
        y -= 0.022
        rows = [(label, _fmt(m.get(key), f)) for label, key, f in SUMMARY_ROWS]
        half = (len(rows) + 1) // 2
        for i, (label, val) in enumerate(rows):
            col = 0 if i < half else 1
            yy = y - 0.018 * (i if i < half else i - half)
            fig.text(0.07 + 0.45 * col, yy, label, fontsize=9)
            fig.text(0.25 + 0.45 * col, yy, val, fontsize=9, family="monospace")
        y -= 0.018 * half + 0.02
        fig.text(0.07, y, "Methods and settings", fontsize=12, weight="bold")
        y -= 0.022
        lo_ms, hi_ms = settings["artifact_range_ms"]
        meth = [
            f"Artifacts: {settings['artifact_method']} (Lipponen & Tarvainen 2019 classification: ectopic, "
            f"long/short, missed, extra; range {lo_ms:g}-{hi_ms:g} ms)" if settings["artifact_method"] != "none"
            else f"Artifacts: none corrected (beats within {lo_ms:g}-{hi_ms:g} ms analysed as given)",
            f"Resampling: {settings['interpolation']} spline to {settings['resample_hz']:g} Hz; detrending: "
            f"{settings['detrend']}" + (f" (lambda {settings['detrend_lambda']:g})"
                                        if settings["detrend"] == "smoothness_priors" else ""),
            f"PSD: {settings['psd_method']}" + (f", Hann, {settings['welch_window_s']:g} s segments, "
                                                f"{100 * settings['welch_overlap']:.0f} % overlap"
                                                if settings["psd_method"] == "welch" else ""),
            "Bands: " + ", ".join(f"{k.upper()} {lo:g}-{hi:g} Hz" for k, (lo, hi) in settings["bands_hz"].items())
            + "; powers absolute (ms²)",
            "SDNN/SDSD with ddof 1; DFA α1 over 4-16 beats, α2 over 16-64; SampEn m 2, r 0.2 SD",
            "Coherence: peak in 0.04-0.26 Hz, ±0.015 Hz, over the rest of 0.0033-0.4 Hz",
        ]
        for line in meth:
            fig.text(0.07, y, line, fontsize=8, wrap=True)
            y -= 0.017
        if rec.pacer:
            y -= 0.01
            fig.text(0.07, y, "Pacer segments", fontsize=12, weight="bold")
            y -= 0.02
            for p in rec.pacer[:12]:
                txt = (f"from {fmt_duration(p.t_s)}: " + ("no pacer" if p.rate_bpm <= 0 else
                       f"{p.rate_bpm:.2f} breaths/min, inhale {100 * p.inhale_fraction:.0f} % of the cycle"))
                fig.text(0.07, y, txt, fontsize=8)
                y -= 0.015
        if rec.markers:
            y -= 0.01
            fig.text(0.07, y, "Markers", fontsize=12, weight="bold")
            y -= 0.02
            for mk in rec.markers[:15]:
                fig.text(0.07, y, f"{fmt_duration(mk.t_s)}  {mk.label} {mk.note}"[:100], fontsize=8)
                y -= 0.015
        fig.text(0.07, 0.03, f"vagal-coach {__version__} · generated "
                 f"{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}", fontsize=7, color=C_GREY)
        pdf.savefig(fig)
        plt.close(fig)

        # ---- page 2: figures
        fig, axes = plt.subplots(4, 1, figsize=A4, gridspec_kw={"height_ratios": [1, 1, 1.2, 1]})
        fig.subplots_adjust(left=0.11, right=0.95, top=0.95, bottom=0.05, hspace=0.45)
        ax = axes[0]
        t_min = a.t_s / 60.0
        ax.plot(t_min, a.rr_ms, color=C_BLUE, lw=0.6)
        if np.any(a.corrected):
            ax.plot(t_min[a.corrected], a.rr_ms[a.corrected], "o", ms=3, color=C_VERM,
                    label=f"intervals changed by the correction ({n_changed})")
            ax.legend(loc="upper right", fontsize=7)
        for mk in rec.markers:
            ax.axvline(mk.t_s / 60.0, color=C_GREY, lw=0.8, ls="--")
        for g in rec.gaps:
            ax.axvspan(g.start_s / 60.0, g.end_s / 60.0, color=C_GREY, alpha=0.25)
        ax.set_title("Tachogram", fontsize=10, loc="left")
        ax.set_xlabel("time (min)", fontsize=8)
        ax.set_ylabel("RR (ms)", fontsize=8)
        # PSD
        ax = axes[1]
        f, psd = a.spectrum.f_hz, a.spectrum.psd_ms2_hz
        sel = f <= 0.5
        ax.plot(f[sel], psd[sel], color="black", lw=0.8)
        for (band_name, (lo, hi)), colour in zip(BANDS_HZ.items(), (C_SKY, C_ORANGE, C_GREEN)):
            band = (f >= lo) & (f <= hi)
            ax.fill_between(f[band], psd[band], color=colour, alpha=0.5,
                            label=f"{band_name.upper()} {m.get(band_name + '_ms2') or float('nan'):.0f} ms²")
        ax.legend(fontsize=7, loc="upper right")
        ax.set_xlim(0, 0.5)
        ax.set_title("Power spectral density", fontsize=10, loc="left")
        ax.set_xlabel("frequency (Hz)", fontsize=8)
        ax.set_ylabel("ms²/Hz", fontsize=8)
        # Poincare + trend share the lower rows
        axes[2].remove()
        ax_p = fig.add_axes((0.11, 0.27, 0.36, 0.2))
        x, yv = a.rr_ms[:-1], a.rr_ms[1:]
        ax_p.scatter(x, yv, s=2, color=C_BLUE, alpha=0.4, linewidths=0)
        lo_, hi_ = np.percentile(a.rr_ms, [0.5, 99.5]) if a.rr_ms.size else (0, 1)
        ax_p.plot([lo_, hi_], [lo_, hi_], color=C_GREY, lw=0.6)
        ax_p.set_xlim(lo_, hi_)
        ax_p.set_ylim(lo_, hi_)
        ax_p.set_title(f"Poincaré: SD1 {m['sd1_ms']:.1f} ms, SD2 {m['sd2_ms']:.1f} ms", fontsize=9, loc="left")
        ax_p.set_xlabel("RRₙ (ms)", fontsize=8)
        ax_p.set_ylabel("RRₙ₊₁ (ms)", fontsize=8)
        ax_h = fig.add_axes((0.58, 0.27, 0.37, 0.2))
        ax_h.hist(a.rr_ms, bins=60, color=C_BLUE, alpha=0.8)
        ax_h.set_title("RR histogram", fontsize=9, loc="left")
        ax_h.set_xlabel("RR (ms)", fontsize=8)
        ax = axes[3]
        w = a.settings.window_s or trend_window_s
        from vagal_coach.analysis.windows import windows

        tr = a.trend if a.trend is not None else windows(a.t_s, a.rr_ms, w)
        mid = (tr["start_s"] + w / 2) / 60.0
        ax.plot(mid, tr["rmssd_ms"], "-o", ms=2.5, color=C_GREEN, lw=1)
        ax.set_title(f"RMSSD over consecutive {w:g} s windows", fontsize=10, loc="left")
        ax.set_xlabel("time (min)", fontsize=8)
        ax.set_ylabel("RMSSD (ms)", fontsize=8)
        for axx in (axes[0], axes[1], axes[3], ax_p, ax_h):
            axx.tick_params(labelsize=7)
        pdf.savefig(fig)
        plt.close(fig)
