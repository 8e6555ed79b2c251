"""The model: one pacer rate for every face (ramps included), typed events read back from a native file."""

import numpy as np
import pytest

from vagal_coach.io import read_recording, write_recording
from vagal_coach.io.native import NativeWriter, append_event, rating_line
from vagal_coach.model import (
    GuidedInfo,
    GuidedPhase,
    OwnRate,
    PacerEvent,
    PacerSchedule,
    Prompt,
    Rating,
    Recording,
    pacer_rate_at,
)

# a 10 -> 6 /min ramp over 180 s: 10 - 4 t / 180 until 180 s, then 6
RAMP = [PacerEvent(0.0, 10.0, ramp_to_bpm=6.0, ramp_s=180.0)]
T_S = np.array([10.0, 90.0, 170.0, 200.0])
WANT = 10.0 - 4.0 * np.minimum(T_S, 180.0) / 180.0  # 9.78, 8, 6.22, 6


def test_the_recording_the_schedule_and_the_function_agree_over_a_ramp():
    assert WANT == pytest.approx([9.7778, 8.0, 6.2222, 6.0], abs=1e-4)
    rec = Recording.from_rr(np.full(300, 1000.0), pacer=list(RAMP))
    assert rec.pacer_rate_at(T_S) == pytest.approx(WANT)
    assert pacer_rate_at(RAMP, T_S) == pytest.approx(WANT)
    assert PacerSchedule(RAMP).rate_at(T_S) == pytest.approx(WANT)
    assert [PacerSchedule(RAMP).rate_scalar(t) for t in T_S] == pytest.approx(WANT)


def test_rate_is_zero_before_the_first_event_and_without_a_pacer():
    evs = [PacerEvent(60.0, 6.0), PacerEvent(120.0, 0.0)]
    assert pacer_rate_at(evs, [0.0, 59.9, 60.0, 119.0, 130.0]).tolist() == [0.0, 0.0, 6.0, 6.0, 0.0]
    assert pacer_rate_at([], [1.0, 2.0]).tolist() == [0.0, 0.0]
    # a recording read back is taken as it is: a rate no pacer here would give is still its rate
    assert pacer_rate_at([PacerEvent(0.0, 12.0)], [5.0]).tolist() == [12.0]


def test_the_csv_export_writes_the_ramp_s_rates(tmp_path):
    rr = np.full(240, 1000.0)
    rec = Recording.from_rr(rr, pacer=list(RAMP))
    out = tmp_path / "ramp.csv"
    write_recording(rec, out)
    table = np.loadtxt(out, delimiter=",", skiprows=1)
    at = np.searchsorted(table[:, 0], T_S)
    assert table[at, 2] == pytest.approx(WANT, abs=1e-3)


INFO = GuidedInfo("soothing-rhythm", "en", "T", 10.0, 5.5, 12.0,
                  (GuidedPhase("settle", 0.0, 60.0), GuidedPhase("soothing", 60.0, 600.0)))


def test_a_native_file_reads_back_as_typed_events(tmp_path):
    p = tmp_path / "g.vcs.jsonl"
    with NativeWriter(p, {"kind": "guided", "source": "simulated"}) as w:
        w.guided(0.0, INFO)
        w.notification(1.0, bytes.fromhex("1048e803"), 72, [1000.0], "contact", None, [1.0])
        w.notification(2.0, bytes.fromhex("1048e803"), 72, [1000.0], "contact", None, [2.0])
        w.prompt(Prompt(5.0, "Let the breath settle", "settle", 0))
        w.own_rate(OwnRate(60.0, 12.5))
        w.own_rate(OwnRate(61.0, None))
        w.event("battery", 61.0, pct=80)
        w.event("pmd", 3.0, raw="0200")
        w.close(70.0)
    append_event(p, rating_line(Rating(7.0, None, "0-10", "How soothed?")))
    rec = read_recording(p)
    assert rec.guided.info == INFO
    assert rec.guided.prompts == [Prompt(5.0, "Let the breath settle", "settle", 0)]
    assert rec.guided.own_rates == [OwnRate(60.0, 12.5), OwnRate(61.0, None)]
    assert rec.guided.ratings == [Rating(7.0, None, "0-10", "How soothed?")]
    assert rec.source == "simulated" and rec.app_version and rec.battery_pct == 80 and rec.end_t_s == 70.0
    assert rec.notifications is not None and rec.notifications.raw == [bytes.fromhex("1048e803")] * 2
    assert rec.notifications.t_s.tolist() == [1.0, 2.0] and rec.notifications.contact == ["contact"] * 2
    g = rec.guided
    assert g.info is not None and g.info.script == "soothing-rhythm" and g.info.prompt_seconds == 12.0
    assert g.info.phases[0].kind == "settle" and g.info.phases[0].t1_s == 60.0
    assert [(q.t_s, q.text, q.phase) for q in g.prompts] == [(5.0, "Let the breath settle", "settle")]
    assert g.own_rates[0].bpm == 12.5 and g.ratings[0].value == 7.0 and g.ratings[0].t_s is None
    assert rec.pmd_frames is not None and rec.pmd_frames.raw == [b"\x02\x00"]
