"""Issue 17, readers and commands: a malformed file is one line naming the file (and line), exit 2, in
analyze, export, replay --headless, resonance and history; never a traceback; memory bounded."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import RECORDINGS
from tests.safety import shapes
from vagal_coach.cli import main


@pytest.fixture(scope="module")
def sim_native(tmp_path_factory):
    """A simulated H10 session (raw ECG and ACC frames, their rates in the device line)."""
    out = tmp_path_factory.mktemp("sim") / "sim.vcs.jsonl"
    assert main(["record", "--simulate", "--duration", "40", "--speed", "max", "--out", str(out)]) == 0
    return out.read_bytes()


@pytest.fixture(scope="module")
def ok_edf(tmp_path_factory):
    out = tmp_path_factory.mktemp("edf") / "ok.edf"
    assert main(["export", str(RECORDINGS / "pyhrv-nn-5min.txt"), str(out)]) == 0
    return out.read_bytes()


def one_line(capsys, path, line=None):
    cap = capsys.readouterr()
    err = cap.err.strip().splitlines()
    assert len(err) == 1, err
    assert "Traceback" not in cap.err and err[0].startswith("vagal-coach: error: ")
    where = str(path) + (f":{line}:" if line else ":")
    assert where in err[0], (where, err[0])
    assert len(err[0]) < 400
    return err[0]


NATIVE_SHAPES = {
    "format_version-not-int": (shapes.native({"format_version": "x1"}), 1, "format_version"),
    "device-a-list": (shapes.native({"device": [1, 2]}), 1, "device"),
    "device-a-string": (shapes.native({"device": "abc"}), 1, "device"),
    "rr-abc": (shapes.native(extra=shapes.note(400, rr="abc")), 201, "not a number"),
    "t-1.2.3": (shapes.native(extra=shapes.note(400, tt="1.2.3")), 201, "not a number"),
    "pacer-nan": (shapes.native(extra='{"type":"pacer","t":0,"rate_bpm":NaN}\n'), None, "pacer"),
    "pacer-negative": (shapes.native(extra='{"type":"pacer","t":0,"rate_bpm":-6}\n'), None, "pacer"),
}


@pytest.mark.parametrize("name", sorted(NATIVE_SHAPES))
@pytest.mark.parametrize("command", ["analyze", "export", "replay", "resonance"])
def test_native_shapes_are_one_line(tmp_path, capsys, monkeypatch, name, command):
    monkeypatch.setenv("VAGAL_COACH_HOME", str(tmp_path / "home"))
    data, line, words = NATIVE_SHAPES[name]
    f = shapes.write(tmp_path, "x.vcs.jsonl", data)
    argv = {"analyze": ["analyze", str(f)], "export": ["export", str(f), str(tmp_path / "o.edf")],
            "replay": ["replay", str(f), "--headless"], "resonance": ["resonance", str(f)]}[command]
    assert main(argv) == 2
    err = one_line(capsys, f, line)
    assert words in err
    assert f.read_bytes() == data
    assert not (tmp_path / "o.edf").exists()


@pytest.mark.parametrize("rate", [0, "fast", 1e12, None, -130])
def test_pmd_sample_rates_are_one_line(tmp_path, capsys, sim_native, rate):
    f = shapes.write(tmp_path, "x.vcs.jsonl", shapes.with_pmd_rate(sim_native, rate))
    for argv in (["analyze", str(f)], ["replay", str(f), "--headless"], ["export", str(f), str(tmp_path / "o.txt")]):
        assert main(argv) == 2
        assert "sample_rate" in one_line(capsys, f)


def test_the_simulated_session_itself_reads(tmp_path, capsys, sim_native):
    f = shapes.write(tmp_path, "x.vcs.jsonl", sim_native)
    assert main(["analyze", str(f), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rr_source"] == "ecg"


@pytest.mark.parametrize("how", ["samples", "nan-duration", "annotation-byte"])
def test_damaged_edf_is_one_line(tmp_path, capsys, ok_edf, how):
    f = shapes.write(tmp_path, "x.edf", shapes.edf_damaged(ok_edf, how))
    for argv in (["analyze", str(f)], ["replay", str(f), "--headless"], ["export", str(f), str(tmp_path / "o.txt")]):
        assert main(argv) == 2
        assert "EDF" in one_line(capsys, f)


@pytest.mark.parametrize("values", [[1000] * 200 + [3200] + [1000] * 200,
                                    [1000] * 200 + [820, 180, 180, 820] + [1000] * 200],
                         ids=["one-3200-ms", "two-180-ms-extra-beats"])
def test_export_edf_takes_its_ranges_from_the_data(tmp_path, capsys, values):
    f = shapes.write(tmp_path, "x.txt", shapes.rr_text(values))
    out = tmp_path / "x.edf"
    assert main(["export", str(f), str(out)]) == 0
    assert main(["export", str(out), str(tmp_path / "back.txt")]) == 0
    back = np.loadtxt(tmp_path / "back.txt")
    assert np.allclose(back, values, atol=1.0)


def test_export_of_a_polar_ecg_whose_clock_jumps_is_one_line(tmp_path, capsys):
    f = shapes.write(tmp_path, "ecg.txt", shapes.polar_ecg(jump_ns=3 * 10**17))
    assert main(["export", str(f), str(tmp_path / "o.edf")]) == 2
    assert "clock" in one_line(capsys, f)
    assert main(["replay", str(f), "--headless"]) == 0  # the beats themselves are fine


def test_replay_headless_accepts_what_analyze_reads(tmp_path, capsys):
    f = tmp_path / "tiny.csv"
    f.write_text("time_s,rr_ms\n" + "".join(f"{i * 0.0001:.4f},0.1\n" for i in range(1, 3000)))
    assert main(["replay", str(f), "--headless"]) == 0


def test_a_huge_single_line_is_refused_fast_and_short(tmp_path, capsys):
    import resource
    import time

    f = tmp_path / "one-line.txt"
    with open(f, "wb") as fh:
        for _ in range(100):
            fh.write(b"1000 " * 200_000)  # 100 MB, no newline
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    assert main(["analyze", str(f)]) == 2
    dt = time.perf_counter() - t0
    grew_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024
    assert "longer than" in one_line(capsys, f, 1)
    assert dt < 10 and grew_mb < 300, (dt, grew_mb)


def test_settings_file_with_a_scalar_analysis_is_one_line(tmp_path, capsys):
    s = tmp_path / "lab.toml"
    s.write_text("analysis = 5\n")
    assert main(["analyze", str(RECORDINGS / "pyhrv-nn-5min.txt"), "--settings", str(s)]) == 2
    one_line(capsys, s)


def test_control_characters_from_files_are_escaped(tmp_path, capsys):
    f = shapes.write(tmp_path, "x\x1b[2J.txt", b"812\n\x1b]0;owned\x07\n800\n")
    assert main(["analyze", str(f)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err and "\\x1b" in err


def test_history_survives_a_dangling_link_and_a_long_profile(tmp_path, capsys, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("VAGAL_COACH_HOME", str(home))
    d = home / "recordings" / "x"
    d.mkdir(parents=True)
    (d / "dead.vcs.jsonl").symlink_to(tmp_path / "nowhere")
    for _ in range(2):  # the first builds the index, the second refreshes it
        assert main(["history"]) == 0
        assert "UNREADABLE" in capsys.readouterr().out
    long = "a" * 300
    assert main(["record", "--simulate", "--duration", "3", "--speed", "max", "--profile", long]) == 0
    capsys.readouterr()
    assert main(["history", "--profile", long, "--json"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(rows) == 1 and rows[0]["profile"] == long


def test_control_characters_in_names_and_headers_are_escaped_on_success(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("VAGAL_COACH_HOME", str(tmp_path / "home"))
    f = shapes.write(tmp_path, "x\x1b[2J.txt", (RECORDINGS / "pyhrv-nn-5min.txt").read_bytes())
    assert main(["analyze", str(f)]) == 0
    out = capsys.readouterr()
    assert "\x1b" not in out.out + out.err and "\\x1b[2J" in out.out
    d = tmp_path / "home" / "recordings" / "x"
    d.mkdir(parents=True)
    shapes.write(d, "a.vcs.jsonl", shapes.native({"profile": "evil\x1b]0;owned\x07", "kind": "k\rfake"}))
    assert main(["history"]) == 0
    out = capsys.readouterr()
    assert "\x1b" not in out.out and "\x07" not in out.out and "\r" not in out.out
