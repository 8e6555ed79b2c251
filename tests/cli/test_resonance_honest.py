"""Honest resonance (issue 18): no recommendation a rate's breaths cannot support; a report whose text never
overprints and whose claims hold."""

from __future__ import annotations

import json

import numpy as np
import pytest
from matplotlib.colors import to_hex

from tests.test_resonance import synthetic
from vagal_coach.cli import main
from vagal_coach.io import write_recording
from vagal_coach.session import protocols


def _file(tmp_path, events, name, rf=5.5, seed=3):
    p = tmp_path / f"{name}.vcs.jsonl"
    write_recording(synthetic(events, rf, seed=seed), p)
    return p


def test_one_minute_steps_give_no_recommendation_and_say_why(tmp_path, capsys):
    p = _file(tmp_path, protocols.stepped(minutes=1.0), "short")
    assert main(["resonance", str(p), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["recommended_bpm"] is None and d["confidence"] == 0  # was 5.5 at 100 %
    short = [r for r in d["rates"] if r["n_breaths"] < 4]
    assert short and max(r["n_breaths"] for r in d["rates"]) <= 4  # 40 s a rate after the settling: 2-4 breaths
    for r in short:  # each rate short of breaths named with its count
        assert f"{r['rate_bpm']:g}/min ({r['n_breaths']})" in d["reason"]
    assert "at least 4" in d["reason"]
    assert main(["resonance", str(p)]) == 0
    assert "no recommendation" in capsys.readouterr().out
    # the full protocol still recommends
    full = _file(tmp_path, protocols.stepped(), "full")
    assert main(["resonance", str(full), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["recommended_bpm"] == pytest.approx(5.5, abs=0.25) and 0 < d["confidence"] < 1


def _report_figures(tmp_path, monkeypatch, path):
    """Page 1 of the report, drawn: its texts' boxes and the evidence table's shaded rows."""
    from matplotlib.backends.backend_pdf import PdfPages

    pages = []
    real = PdfPages.savefig

    def grab(self, fig=None, **kw):
        fig.canvas.draw()
        r = fig.canvas.get_renderer()
        texts = [(t.get_text(), t.get_window_extent(r)) for t in fig.texts if t.get_text()]
        shaded = set()
        for ax in fig.axes:
            for tab in ax.tables:
                for (i, _j), cell in tab.get_celld().items():
                    if i > 0 and to_hex(cell.get_facecolor()) == "#d8f0e6":
                        shaded.add(i - 1)
        pages.append((texts, shaded))
        return real(self, fig, **kw)

    monkeypatch.setattr(PdfPages, "savefig", grab)
    out = tmp_path / f"{path.stem}.pdf"
    assert main(["resonance", str(path), "--report", str(out)]) == 0
    return pages[0]


@pytest.mark.parametrize("protocol", ["stepped", "short", "sliding"])
def test_report_text_never_overprints_and_its_shading_claim_holds(tmp_path, monkeypatch, capsys, protocol):
    events = {"stepped": protocols.stepped(), "short": protocols.stepped(minutes=1.0),
              "sliding": protocols.sliding()}[protocol]
    p = _file(tmp_path, events, protocol)
    texts, shaded = _report_figures(tmp_path, monkeypatch, p)
    boxes = [b for _, b in texts]
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not boxes[i].overlaps(boxes[j]), (texts[i][0], texts[j][0])
    said = " ".join(t for t, _ in texts)
    assert ("is shaded" in said) == bool(shaded)
    capsys.readouterr()
    assert main(["resonance", str(p), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    if protocol == "short":
        assert not shaded and d["recommended_bpm"] is None
    else:
        assert len(shaded) == 1
        row = d["rates"][shaded.pop()]
        step = np.min(np.abs(np.diff([r["rate_bpm"] for r in d["rates"]])))
        assert abs(row["rate_bpm"] - d["recommended_bpm"]) <= step  # the shaded row is the recommended one


def test_confidence_is_the_calibrated_share_right(tmp_path, capsys):
    """The reported confidence is the logistic calibration of the scoring's raw figure
    (benchmarks/rf_recovery.py --calibration measures it: a reported 70 % right about 70 % of the time)."""
    from vagal_coach.analysis.assessment import CALIBRATION, assess, calibrate
    from vagal_coach.io import read_recording

    for protocol in CALIBRATION:
        raw = np.linspace(0, 1, 21)
        cal = np.array([calibrate(protocol, x) for x in raw])
        assert np.all(np.diff(cal) > 0) and 0 < cal[0] < cal[-1] < 1
    p = _file(tmp_path, protocols.stepped(), "full")
    assert main(["resonance", str(p), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    raw = assess(read_recording(p), calibrated=False).confidence
    assert d["confidence"] == pytest.approx(calibrate("stepped", raw), abs=1e-3)
