"""The clinician's analysis report: three A4 pages: the recording and the methods; every figure of Kubios HRV
Standard's report, grouped as Kubios groups them, with units; then the plots.

Text is laid out line by line from a cursor (long lines wrapped, never drawn over one another); every value
is the analysis's own (``Analysis.metrics``, the JSON's numbers)."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from vagal_coach.analysis import Analysis, fmt_duration
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


#: page geometry (figure fraction): left margin, line heights
X0 = 0.07
LINE = {7.5: 0.0145, 8: 0.0155, 9: 0.018}
#: characters a line of the given size holds across the text width (DejaVu Sans, conservative)
WRAP = {7.5: 118, 8: 110, 9: 96}


class _Flow:
    """A cursor down one page: headings, wrapped lines and table rows, each below the last."""

    def __init__(self, fig: Any, y: float = 0.9) -> None:
        self.fig, self.y = fig, y

    def heading(self, text: str, size: float = 12) -> None:
        self.y -= 0.008
        self.fig.text(X0, self.y, text, fontsize=size, weight="bold")
        self.y -= 0.022 if size >= 12 else 0.018

    def lines(self, text: str, size: float = 8, color: str = "black", indent: float = 0.0) -> None:
        width = int(WRAP[size] * (1.0 - indent / 0.86))
        for line in textwrap.wrap(text, width) or [""]:
            self.fig.text(X0 + indent, self.y, line, fontsize=size, color=color)
            self.y -= LINE[size]

    def fact(self, label: str, value: str, size: float = 9) -> None:
        self.fig.text(X0, self.y, label, fontsize=size, weight="bold")
        for line in textwrap.wrap(value, 76) or ["-"]:
            self.fig.text(0.25, self.y, line, fontsize=size)
            self.y -= LINE[size]

    def row(self, cells: list[tuple[float, str, str]], size: float = 8, weight: str = "normal",
            color: str = "black") -> None:
        """One table row: (x, text, ha) per cell."""
        for x, text, ha in cells:
            if text:
                self.fig.text(x, self.y, text, fontsize=size, ha=ha, weight=weight, color=color,
                              family="monospace" if ha == "right" else None)
        self.y -= LINE[size]


def _v(m: dict[str, Any], key: str, f: str) -> str:
    return _fmt(m.get(key), f)


#: the results page, grouped as Kubios HRV Standard's report: (label, unit, key, format)
TIME_LEFT = (("Mean RR", "ms", "mean_rr_ms", "{:.1f}"), ("STD RR (SDNN)", "ms", "sdnn_ms", "{:.1f}"),
             ("Mean HR", "bpm", "mean_hr_bpm", "{:.1f}"), ("STD HR", "bpm", "std_hr_bpm", "{:.2f}"),
             ("Min HR", "bpm", "min_hr_bpm", "{:.1f}"), ("Max HR", "bpm", "max_hr_bpm", "{:.1f}"),
             ("RMSSD", "ms", "rmssd_ms", "{:.1f}"), ("lnRMSSD", "", "ln_rmssd", "{:.2f}"),
             ("SDSD", "ms", "sdsd_ms", "{:.1f}"), ("CVNN", "%", "cvnn_pct", "{:.2f}"))
TIME_RIGHT = (("NN50", "beats", "nn50", "{:.0f}"), ("pNN50", "%", "pnn50_pct", "{:.2f}"),
              ("NN20", "beats", "nn20", "{:.0f}"), ("pNN20", "%", "pnn20_pct", "{:.2f}"),
              ("RR triangular index", "", "rr_tri_index", "{:.3f}"), ("TINN", "ms", "tinn_ms", "{:.1f}"),
              ("SDANN (>= 1 h)", "ms", "sdann_ms", "{:.1f}"), ("SDNN index (>= 1 h)", "ms", "sdnn_index_ms", "{:.1f}"))
NONLINEAR_LEFT = (("Poincaré SD1", "ms", "sd1_ms", "{:.1f}"), ("Poincaré SD2", "ms", "sd2_ms", "{:.1f}"),
                  ("SD2/SD1", "", "sd2_sd1", "{:.3f}"))
NONLINEAR_RIGHT = (("Approximate entropy (ApEn)", "", "apen", "{:.3f}"),
                   ("Sample entropy (SampEn)", "", "sampen", "{:.3f}"),
                   ("DFA α1 (4-16 beats)", "", "dfa_alpha1", "{:.3f}"),
                   ("DFA α2 (16-64 beats)", "", "dfa_alpha2", "{:.3f}"))
#: the frequency table's columns: (heading, unit, key suffix, format)
FREQ_COLS = (("Peak", "Hz", "_peak_hz", "{:.3f}"), ("Power", "ms²", "_ms2", "{:.0f}"),
             ("Power", "log", "_log", "{:.2f}"), ("Power", "%", "_pct", "{:.1f}"), ("Power", "n.u.", "_nu", "{:.1f}"))


def _pairs(flow: _Flow, left: tuple, right: tuple, m: dict[str, Any]) -> None:
    """Two columns of (label, value, unit) rows side by side."""
    for i in range(max(len(left), len(right))):
        cells: list[tuple[float, str, str]] = []
        for (x_label, x_value, x_unit), rows in (((X0, 0.36, 0.375), left), ((0.53, 0.83, 0.845), right)):
            if i < len(rows):
                label, unit, key, f = rows[i]
                cells += [(x_label, label, "left"), (x_value, _v(m, key, f), "right"), (x_unit, unit, "left")]
        flow.row(cells)


def _results_page(fig: Any, a: Analysis) -> None:
    """Every figure of Kubios HRV Standard's report, grouped as Kubios groups them."""
    m, st = a.metrics, a.metrics["settings"]
    fig.text(X0, 0.955, "HRV results", fontsize=16, weight="bold")
    fig.text(X0, 0.937, "Grouped as Kubios HRV Standard's report; n/a: the series is too short for the figure "
             "(VLF needs 5 min, SDANN 1 h) or has no spread.", fontsize=7.5, color=C_GREY)
    flow = _Flow(fig, 0.905)
    flow.heading("Time domain", 11)
    _pairs(flow, TIME_LEFT, TIME_RIGHT, m)
    flow.lines("Mean HR = 60000 / mean RR" if st.get("mean_hr") == "mean_rr" else
               "Mean HR = mean of the beats' 60000 / RR (mean_hr = beats)", 7.5, C_GREY)
    flow.lines(f"Min/max HR: extremes of the {st.get('hr_avg_beats')}-beat moving average; SDNN, STD HR ddof 1; "
               "histogram bins 1/128 s (triangular index, TINN)", 7.5, C_GREY)

    flow.heading("Frequency domain", 11)
    psd_name = {"welch": f"FFT (Welch, {st.get('welch_window_s', 0):g} s Hann)",
                "lomb": "Lomb-Scargle"}.get(st.get("psd_method", ""), str(st.get("psd_method")))
    ar_name = f"AR (Burg, order {st.get('ar_order')})"
    x_cols = [0.20, 0.28, 0.35, 0.415, 0.48]  # right edges of the values under one spectrum
    x_ar = [x + 0.42 for x in x_cols]
    flow.row([(0.14, psd_name, "left"), (0.56, ar_name, "left")], 8, "bold")
    head: list[tuple[float, str, str]] = [(X0, "Band", "left")]
    for xs in (x_cols, x_ar):
        head += [(x, unit, "right") for x, (_, unit, _, _) in zip(xs, FREQ_COLS)]
    flow.row(head, 8, "bold")
    lo_hi = st.get("bands_hz", {})
    for band in ("vlf", "lf", "hf"):
        cells: list[tuple[float, str, str]] = [(X0, band.upper(), "left")]
        for prefix, xs in (("", x_cols), ("ar_", x_ar)):
            for x, (_, _, suffix, f) in zip(xs, FREQ_COLS):
                key = f"{prefix}{band}{suffix}"
                if suffix == "_nu" and band == "vlf":
                    txt = ""
                elif key == "ar_vlf_peak_hz":
                    txt = "-"
                else:
                    txt = _v(m, key, f)
                cells.append((x, txt, "right"))
        flow.row(cells)
    flow.row([(X0, "Total", "left"), (x_cols[1], _v(m, "total_ms2", "{:.0f}"), "right"),
              (x_ar[1], _v(m, "ar_total_ms2", "{:.0f}"), "right"), (x_cols[1] + 0.01, "ms²", "left"),
              (x_ar[1] + 0.01, "ms²", "left")])
    flow.row([(X0, "LF/HF", "left"), (x_cols[1], _v(m, "lf_hf", "{:.3f}"), "right"),
              (x_ar[1], _v(m, "ar_lf_hf", "{:.3f}"), "right")])
    bands = ", ".join(f"{k.upper()} {lo:g}-{hi:g} Hz" for k, (lo, hi) in lo_hi.items())
    flow.lines(f"Hz: the band's peak; ms²: its power; log: natural log of ms²; %: of VLF + LF + HF; n.u.: of "
               f"LF + HF. Bands {bands}. Both spectra "
               f"of the same series ({st.get('detrend')} detrending, {st.get('resample_hz'):g} Hz).", 7.5, C_GREY)

    flow.heading("Nonlinear", 11)
    _pairs(flow, NONLINEAR_LEFT, NONLINEAR_RIGHT, m)
    flow.lines(f"Poincaré SDs ddof {st.get('poincare_ddof')}; ApEn and SampEn m 2, r 0.2 SDNN; DFA boxes: "
               + ("from the start at every size (Kubios)" if st.get("dfa") == "kubios" else
                  "both ends, log-spaced sizes (Peng 1995)"), 7.5, C_GREY)

    flow.heading("Autonomic indices", 11)
    _pairs(flow, (("Stress index", "", "stress_index", "{:.2f}"),),
           (("Coherence (HeartMath ratio)", "", "coherence", "{:.2f}"),), m)
    flow.row([(X0, "PNS index", "left"), (0.36, "not reported", "right"),
              (0.53, "SNS index", "left"), (0.83, "not reported", "right")])
    flow.lines("Stress index: square root of Baevsky's SI, as Kubios. PNS and SNS indices: Kubios compares mean "
               "RR, RMSSD and SD1 (PNS), mean HR, stress index and SD2 (SNS) with normal resting values, but "
               "its normal values and weights are not published; a made-up normal would be a made-up number "
               "(docs/methods.md).", 7.5, C_GREY)
    flow.heading("Beats", 11)
    flow.lines(f"{m['n_beats']} beats, {m['n_accepted']} within {st['artifact_range_ms'][0]:g}-"
               f"{st['artifact_range_ms'][1]:g} ms; artifacts {m['artifacts_pct']:.2f} % of beats"
               + (" (" + ", ".join(f"{k} {v}" for k, v in m["artifacts"].items() if v) + ")"
                  if any(m["artifacts"].values()) else "") + f"; length {fmt_duration(m['duration_s'])}", 8)


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
        # ---- page 1: the recording, methods and settings
        fig = plt.figure(figsize=A4)
        fig.text(X0, 0.955, "HRV analysis report", fontsize=18, weight="bold")
        fig.text(X0, 0.935, DISCLAIMER, fontsize=7.5, color=C_GREY)
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
        flow = _Flow(fig, 0.9)
        for label, value in facts:
            flow.fact(label, str(value))
        flow.heading("Methods and settings")
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
                                                if settings["psd_method"] == "welch" else "")
            + f"; AR spectrum: Burg, order {settings['ar_order']}",
            "Bands: " + ", ".join(f"{k.upper()} {lo:g}-{hi:g} Hz" for k, (lo, hi) in settings["bands_hz"].items())
            + "; powers absolute (ms²)",
            f"Conventions: mean HR {settings['mean_hr'].replace('_', ' ')}; Poincaré ddof "
            f"{settings['poincare_ddof']}; DFA {settings['dfa']}; min/max HR over {settings['hr_avg_beats']} "
            "beats (defaults as Kubios HRV)",
            "SDNN/SDSD with ddof 1; DFA α1 over 4-16 beats, α2 over 16-64; SampEn and ApEn m 2, r 0.2 SD",
            "Coherence: peak in 0.04-0.26 Hz, ±0.015 Hz, over the rest of 0.0033-0.4 Hz",
        ]
        for line in meth:
            flow.lines(line)
        if rec.pacer:
            flow.heading("Pacer segments")
            for p in rec.pacer[:12]:
                flow.lines(f"from {fmt_duration(p.t_s)}: " + ("no pacer" if p.rate_bpm <= 0 else
                           f"{p.rate_bpm:.2f} breaths/min, inhale {100 * p.inhale_fraction:.0f} % of the cycle"))
            if len(rec.pacer) > 12:
                flow.lines(f"... and {len(rec.pacer) - 12} more", color=C_GREY)
        if rec.markers:
            flow.heading("Markers")
            shown = 0
            for mk in rec.markers[:15]:
                if flow.y < 0.07:  # the page is full: the rest are counted, never drawn over the footer
                    break
                flow.lines(f"{fmt_duration(mk.t_s)}  {mk.label} {mk.note}"[:100])
                shown += 1
            if len(rec.markers) > shown:
                flow.lines(f"... and {len(rec.markers) - shown} more", color=C_GREY)
        fig.text(X0, 0.03, f"vagal-coach {__version__} · generated "
                 f"{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}", fontsize=7, color=C_GREY)
        pdf.savefig(fig)
        plt.close(fig)

        # ---- page 2: every figure, grouped as Kubios
        fig = plt.figure(figsize=A4)
        _results_page(fig, a)
        pdf.savefig(fig)
        plt.close(fig)

        # ---- page 3: figures
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
        # the two spectra side by side, as Kubios
        axes[1].remove()
        spectra = [(a.spectrum, "", "FFT" if settings["psd_method"] == "welch" else settings["psd_method"])]
        if a.ar_spectrum is not None:
            spectra.append((a.ar_spectrum, "ar_", f"AR (Burg, order {settings['ar_order']})"))
        width = 0.84 / len(spectra) - (0.05 if len(spectra) > 1 else 0.0)
        psd_axes = []
        for i, (spec, prefix, name) in enumerate(spectra):
            ax = fig.add_axes((0.11 + i * (width + 0.1), 0.56, width, 0.155))
            psd_axes.append(ax)
            f, psd = spec.f_hz, spec.psd_ms2_hz
            sel = f <= 0.5
            ax.plot(f[sel], psd[sel], color="black", lw=0.8)
            for (band_name, (lo, hi)), colour in zip(BANDS_HZ.items(), (C_SKY, C_ORANGE, C_GREEN)):
                band = (f >= lo) & (f <= hi)
                power = _fmt(m.get(prefix + band_name + "_ms2"), "{:.0f}")
                ax.fill_between(f[band], psd[band], color=colour, alpha=0.5,
                                label=f"{band_name.upper()} {power}" + (" ms²" if power != "n/a" else ""))
            ax.legend(fontsize=6.5, loc="upper right")
            ax.set_xlim(0, 0.5)
            ax.set_title(f"PSD, {name}", fontsize=9, loc="left")
            ax.set_xlabel("frequency (Hz)", fontsize=8)
            ax.set_ylabel("ms²/Hz", fontsize=8)
        # Poincare + histogram share the third row
        axes[2].remove()
        ax_p = fig.add_axes((0.11, 0.27, 0.36, 0.2))
        x, yv = a.rr_ms[:-1], a.rr_ms[1:]
        ax_p.scatter(x, yv, s=2, color=C_BLUE, alpha=0.4, linewidths=0)
        lo_, hi_ = np.percentile(a.rr_ms, [0.5, 99.5]) if a.rr_ms.size else (0, 1)
        ax_p.plot([lo_, hi_], [lo_, hi_], color=C_GREY, lw=0.6)
        ax_p.set_xlim(lo_, hi_)
        ax_p.set_ylim(lo_, hi_)
        ax_p.set_title(f"Poincaré: SD1 {_fmt(m.get('sd1_ms'), '{:.1f}')} ms, SD2 {_fmt(m.get('sd2_ms'), '{:.1f}')} ms",
                       fontsize=9, loc="left")
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
        for axx in (axes[0], axes[3], ax_p, ax_h, *psd_axes):
            axx.tick_params(labelsize=7)
        pdf.savefig(fig)
        plt.close(fig)
