"""Every figure of Kubios HRV Standard's report in the analysis PDF, grouped as Kubios groups them, with units
and never overprinting; the text printer shows the main ones compactly; both show the JSON's own values
(issue 18)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import RECORDINGS
from vagal_coach.analysis import JSON_KEYS, SUMMARY_ROWS
from vagal_coach.analysis.recording import OPTIONAL_ROWS, format_row, row_keys
from vagal_coach.cli import main
from vagal_coach.io import write_recording
from vagal_coach.model import Marker, PacerEvent, Recording

ONE_H = RECORDINGS / "pyhrv-nn-1h.txt"
FIVE_MIN = RECORDINGS / "pyhrv-nn-5min.txt"

#: every figure of Kubios HRV Standard's report (and the project's own), as the PDF's results page shows them
KUBIOS_FIGURES = {
    "mean_rr_ms": "{:.1f}", "sdnn_ms": "{:.1f}", "mean_hr_bpm": "{:.1f}", "std_hr_bpm": "{:.2f}",
    "min_hr_bpm": "{:.1f}", "max_hr_bpm": "{:.1f}", "rmssd_ms": "{:.1f}", "nn50": "{:.0f}", "pnn50_pct": "{:.2f}",
    "nn20": "{:.0f}", "pnn20_pct": "{:.2f}", "rr_tri_index": "{:.3f}", "tinn_ms": "{:.1f}", "sdann_ms": "{:.1f}",
    "sdnn_index_ms": "{:.1f}", "sd1_ms": "{:.1f}", "sd2_ms": "{:.1f}", "sd2_sd1": "{:.3f}", "apen": "{:.3f}",
    "sampen": "{:.3f}", "dfa_alpha1": "{:.3f}", "dfa_alpha2": "{:.3f}", "stress_index": "{:.2f}",
    "total_ms2": "{:.0f}", "ar_total_ms2": "{:.0f}", "lf_hf": "{:.3f}", "ar_lf_hf": "{:.3f}",
    **{f"{p}{b}_ms2": "{:.0f}" for p in ("", "ar_") for b in ("vlf", "lf", "hf")},
    **{f"{p}{b}_log": "{:.2f}" for p in ("", "ar_") for b in ("vlf", "lf", "hf")},
    **{f"{p}{b}_pct": "{:.1f}" for p in ("", "ar_") for b in ("vlf", "lf", "hf")},
    **{f"{p}{b}_nu": "{:.1f}" for p in ("", "ar_") for b in ("lf", "hf")},
    **{f"{p}{b}_peak_hz": "{:.3f}" for p in ("", "ar_") for b in ("lf", "hf")}, "vlf_peak_hz": "{:.3f}",
}


def _json(capsys, path) -> dict:
    assert main(["analyze", str(path), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_every_printed_row_names_json_keys():
    for label, template in SUMMARY_ROWS:
        keys = row_keys(template)
        assert keys and set(keys) <= set(JSON_KEYS), label


@pytest.mark.parametrize("path", [FIVE_MIN, ONE_H], ids=["5min", "1h"])
def test_the_printer_shows_the_json_values(capsys, path):
    d = _json(capsys, path)
    assert main(["analyze", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = {ln[2:12].strip(): ln[13:] for ln in lines[1:] if ln.startswith("  ") and ln[2:12].strip()}
    for label, template in SUMMARY_ROWS:
        want = format_row(template, d)
        if want is None and label in OPTIONAL_ROWS:
            assert label not in rows
            continue
        assert rows[label] == want, label
    # the main new figures, by the JSON's numbers
    assert rows["Mean HR"] == (f"{d['mean_hr_bpm']:.1f} bpm (SD {d['std_hr_bpm']:.1f}, min {d['min_hr_bpm']:.1f}, "
                               f"max {d['max_hr_bpm']:.1f})")
    assert f"NN20 {d['nn20']:.0f}" in rows["NN50"] and f"TINN {d['tinn_ms']:.0f} ms" in rows["Geometric"]
    assert rows["AR (Burg)"].startswith(f"{d['ar_vlf_ms2']:.0f} / {d['ar_lf_ms2']:.0f} / {d['ar_hf_ms2']:.0f} ms²")
    assert f"({d['vlf_pct']:.1f} / {d['lf_pct']:.1f} / {d['hf_pct']:.1f} %)" in rows["VLF/LF/HF"]
    assert rows["SD1/SD2"].endswith(f"(SD2/SD1 {d['sd2_sd1']:.2f})")
    assert rows["Entropy"] == f"ApEn {d['apen']:.2f}, SampEn {d['sampen']:.2f}"
    assert rows["Stress idx"] == f"{d['stress_index']:.2f}"
    if path == ONE_H:
        assert rows["SDANN"] == f"{d['sdann_ms']:.1f} ms, SDNN index {d['sdnn_index_ms']:.1f} ms"
    else:
        assert d["sdann_ms"] is None and "SDANN" not in rows


def test_a_missing_figure_prints_as_n_a():
    assert format_row("{lf_hf:.2f} (AR {ar_lf_hf:.2f})", {"lf_hf": None, "ar_lf_hf": 1.5}) == "n/a (AR 1.50)"
    assert format_row("{lf_hf:.2f}", {"lf_hf": float("nan")}) is None
    assert format_row("{duration_s:dur}", {"duration_s": 3725.0}) == "1:02:05"


def _pages(tmp_path, monkeypatch, args):
    """The report's pages, drawn: each page's texts with their boxes, and its size in pixels."""
    from matplotlib.backends.backend_pdf import PdfPages

    pages = []
    real = PdfPages.savefig

    def grab(self, fig=None, **kw):
        fig.canvas.draw()
        r = fig.canvas.get_renderer()
        texts = [(t.get_text(), t.get_window_extent(r)) for t in fig.texts if t.get_text().strip()]
        pages.append((texts, fig.bbox))
        return real(self, fig, **kw)

    monkeypatch.setattr(PdfPages, "savefig", grab)
    out = tmp_path / "report.pdf"
    assert main(["analyze", *map(str, args), "--report", str(out)]) == 0
    assert out.read_bytes()[:5] == b"%PDF-"
    return pages


def _assert_no_overprint(pages):
    for n, (texts, page) in enumerate(pages, 1):
        for text, box in texts:  # on the page
            assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1, (n, text)
        for i in range(len(texts)):
            for j in range(i + 1, len(texts)):
                assert not texts[i][1].overlaps(texts[j][1]), (n, texts[i][0], texts[j][0])


@pytest.mark.parametrize("path", [ONE_H, FIVE_MIN], ids=["1h", "5min"])
def test_the_pdf_shows_every_kubios_figure_with_the_json_values(tmp_path, monkeypatch, capsys, path):
    d = _json(capsys, path)
    pages = _pages(tmp_path, monkeypatch, [path])
    capsys.readouterr()
    assert len(pages) == 3
    _assert_no_overprint(pages)
    results = [t for t, _ in pages[1][0]]
    for heading in ("Time domain", "Frequency domain", "Nonlinear", "Autonomic indices"):
        assert heading in results
    assert any(t.startswith("FFT (Welch") for t in results) and "AR (Burg, order 16)" in results
    for unit in ("ms", "bpm", "beats", "%", "ms²", "Hz", "log", "n.u."):
        assert unit in results, unit
    for key, f in KUBIOS_FIGURES.items():
        want = "n/a" if d[key] is None else f.format(d[key])
        assert want in results, (key, want)
    # the long-term figures are n/a under an hour, and there is one n/a for each
    assert (d["sdann_ms"] is None) == (path == FIVE_MIN)
    # PNS and SNS: said not to be reported, not a number
    assert results.count("not reported") == 2


def test_the_pdf_never_overprints_with_many_markers_and_pacer_segments(tmp_path, monkeypatch):
    rr = np.loadtxt(FIVE_MIN)[:150]
    rec = Recording.from_rr(rr)
    rec.markers = [Marker(float(3 * i), "note", "a marker whose note runs on " * 4) for i in range(30)]
    rec.pacer = [PacerEvent(float(5 * i), 6.0 + 0.1 * i) for i in range(20)]
    p = tmp_path / ("long-" + "x" * 120 + ".vcs.jsonl")
    write_recording(rec, p)
    pages = _pages(tmp_path, monkeypatch, [p])
    _assert_no_overprint(pages)
    said = " ".join(t for t, _ in pages[0][0])
    assert "... and 8 more" in said  # pacer segments past 12 are counted
    assert "more" in said.split("Markers")[-1]  # so are the markers the page cannot hold
