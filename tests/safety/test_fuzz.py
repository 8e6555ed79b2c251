"""Issue 17: every reader, export and replay --headless fed the damaged shapes and random ones (hypothesis):
one line or success (exit 0 or 2, never a traceback), the input unchanged, memory bounded."""

from __future__ import annotations

import json
import resource

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import RECORDINGS
from tests.safety import shapes
from vagal_coach.cli import main

SAMPLE = (RECORDINGS / "pyhrv-nn-5min.txt").read_bytes()[:3000]

HEADERS = ["", "# comment\n", "time_s,rr_ms,pacer_bpm\n", "time_s,rr_ms\n", "Phone timestamp;RR-interval [ms]\n",
           "date,rr,since start\n", "Phone timestamp;sensor timestamp [ns];timestamp [ms];ecg [uV]\n",
           "time_s,ecg_uv\n", json.dumps(shapes.HEADER) + "\n"]
TOKENS = ["1000", "0", "-5", "nan", "inf", "1e308", "1e-300", "0.1", "812.5", "abc", "", " ", ",", ";", "\t",
          "\x00", "\x1b[2J", "é", "1.2.3", "99999999999999999999", "[", "]", "{", "}", '"', "null", "NaN"]
NATIVE_LINES = [shapes.note(1.0), shapes.note(2.0, rr="abc"), shapes.note(3.0, tt="1.2.3"),
                '{"type":"beats","t":[1,2],"rr":[1000]}\n', '{"type":"beats","t":"x","rr":[1]}\n',
                '{"type":"pacer","t":0,"rate_bpm":6}\n', '{"type":"pacer","t":0,"rate_bpm":NaN}\n',
                '{"type":"pacer","t":"x","rate_bpm":[]}\n', '{"type":"marker","t":null}\n',
                '{"type":"gap","t0":5,"t1":1}\n', '{"type":"gap_start","t":1}\n', '{"type":"end","t":1e308}\n',
                '{"type":"device","pmd":{"ecg":{"settings":{"sample_rate":0}}}}\n', '{"type":"pmd","t":1,"raw":"zz"}\n',
                '{"type":"pmd","t":1,"raw":"0001"}\n', "[" * 5000 + "]" * 5000 + "\n", "[1,2]\n", "5\n", "\n"]

text_files = st.builds(lambda h, rows: (h + "\n".join(rows)).encode("utf-8", "surrogatepass"),
                       st.sampled_from(HEADERS),
                       st.lists(st.lists(st.sampled_from(TOKENS), max_size=4).map(" ".join), max_size=40))
native_files = st.builds(lambda hdr, lines: (json.dumps(hdr) + "\n" + "".join(lines)).encode(),
                         st.fixed_dictionaries({}, optional={
                             "format": st.just("vagal-coach-session"),
                             "format_version": st.one_of(st.integers(-3, 3), st.text(max_size=3), st.floats()),
                             "device": st.one_of(st.dictionaries(st.text(max_size=3), st.integers()), st.integers(),
                                                 st.text(max_size=3), st.lists(st.integers(), max_size=2))}).map(
                             lambda d: {**d, "format": "vagal-coach-session"}),
                         st.lists(st.sampled_from(NATIVE_LINES), max_size=30))


def _mutate(cut: int, flips: set[int]) -> bytes:
    return bytes(b ^ 0x5A if i in flips else b for i, b in enumerate(SAMPLE[:cut]))


mutated = st.builds(_mutate, st.integers(0, len(SAMPLE)), st.sets(st.integers(0, len(SAMPLE) - 1), max_size=8))
files = st.one_of(st.binary(max_size=600), text_files, native_files, mutated)

COMMANDS = {"analyze": lambda f, o: ["analyze", str(f), "--json"],
            "export-edf": lambda f, o: ["export", str(f), str(o / "out.edf")],
            "export-native": lambda f, o: ["export", str(f), str(o / "out.vcs.jsonl")],
            "replay": lambda f, o: ["replay", str(f), "--headless"]}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_fuzz_one_line_or_success(tmp_path_factory, capsys, command):
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(data=files, name=st.sampled_from(["x.txt", "x.csv", "x.vcs.jsonl", "x.edf", "x"]))
    def run(data, name):
        d = tmp_path_factory.mktemp("fz")
        f = d / name
        f.write_bytes(data)
        capsys.readouterr()
        rc = main(COMMANDS[command](f, d))
        cap = capsys.readouterr()
        assert rc in (0, 2), cap.err
        assert "Traceback" not in cap.err
        errs = [ln for ln in cap.err.splitlines() if ln.startswith("vagal-coach: error:")]
        if rc == 2:
            assert len(errs) == 1 and cap.err.count("\n") == 1, cap.err
            assert len(errs[0]) < 1600 and "\x1b" not in errs[0]
        assert f.read_bytes() == data  # the input unchanged
        assert not [p for p in d.iterdir() if p.name.startswith(".")]  # no temporary file left

    run()
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024 < 500  # MB


@pytest.mark.parametrize("shape", ["samples", "nan-duration", "annotation-byte"])
def test_fuzz_edf_bytes(tmp_path_factory, capsys, shape):
    d = tmp_path_factory.mktemp("edf")
    ok = d / "ok.edf"
    assert main(["export", str(RECORDINGS / "pyhrv-nn-5min.txt"), str(ok)]) == 0
    base = shapes.edf_damaged(ok.read_bytes(), shape)

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(pos=st.integers(0, 2000), byte=st.integers(0, 255))
    def run(pos, byte):
        b = bytearray(base)
        b[pos] = byte
        f = d / "x.edf"
        f.write_bytes(bytes(b))
        capsys.readouterr()
        rc = main(["analyze", str(f)])
        cap = capsys.readouterr()
        assert rc in (0, 2) and "Traceback" not in cap.err, cap.err
        if rc == 2:
            assert cap.err.count("\n") == 1, cap.err

    run()
