"""An H10 through unmodified bleak and BlueZoo whose link drops mid-session and that takes its time to start its
raw streams after each start command: ECG and ACC are started again on the new link, frames and ECG beats go
on, and meanwhile the status says the ECG is starting and the strap's own RR is used."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.ble.test_h10_pmd import best_offset, h10_plan
from tests.ble.test_record_ble import run_record
from vagal_coach.hrv.ecg import match_beats

pytestmark = pytest.mark.ble

DURATION_S = 60.0
START_DELAY_S = 8.0  # an H10 may take up to 30 s; 8 s keeps the test short and shows the same thing
DROP_AT_S = 26.0


@pytest.mark.long  # real time through BlueZoo and record's own status line (make test-long, run by CI too)
def test_ecg_and_acc_resume_after_a_link_drop_and_ecg_beats_continue(bluez_env, tmp_path):
    plan, beats, _ = h10_plan(DURATION_S)
    plan["pmd"]["start_delay_s"] = START_DELAY_S
    drop_i = int(np.searchsorted(np.asarray(plan["times_s"]), DROP_AT_S))
    plan["outages"] = [[drop_i, 3.0, "drop"]]
    rec, sent, err = run_record(bluez_env, tmp_path, plan, limit_s=DURATION_S + 40)
    lines = [json.loads(x) for x in (tmp_path / "rec.vcs.jsonl").read_text().splitlines()]
    # both streams started on each link (the strap still had them on: stop, then start again)
    requests = next(e for e in sent if e["event"] == "pmd_requests")["requests"]
    for mtype in ("00", "02"):
        assert sum(r.startswith("02" + mtype) for r in requests) >= 2
        assert any(r == "03" + mtype for r in requests)
    back = next(e for e in sent if e["event"] == "back")["t"]
    frames = [e for e in sent if e["event"] == "frame"]
    after = [e for e in frames if e["t"] > back]
    assert {e["type"] for e in after} == {0, 2}  # ECG and ACC frames flow again
    assert sum(o["type"] == "pmd" for o in lines) == len(frames)  # every frame sent is kept
    # while each start was pending the strap's RR carried the session, and the status said why
    assert "ECG starting (an H10 can take up to 30 s)" in err
    sources = [o["source"] for o in lines if o["type"] == "rr_source"]
    assert sources[:3] == ["ecg", "strap", "ecg"]  # ECG, the strap's RR across the drop and the restart, ECG again
    # ECG beats go on after the drop: the true beats after the restart are found, timed to the ms
    assert rec.rr_source == "ecg"
    off = best_offset(rec.beat_t_s, beats)
    first_after = min(e["t_due"] for e in after)
    late = beats[(beats > first_after + 5.0) & (beats < DURATION_S - 2.0)]
    i, j = match_beats(late + off, rec.beat_t_s, 0.02)
    assert late.size >= 15 and i.size >= late.size - 1
    both = (np.diff(i) == 1) & (np.diff(j) == 1)
    err_ms = np.abs(np.diff(rec.beat_t_s[j]) - np.diff(late[i]))[both] * 1000
    assert err_ms.max() < 2.0
    assert len(rec.gaps) >= 1


@pytest.mark.long  # real time through BlueZoo (make test-long, run by CI too)
def test_an_older_pmd_control_point_is_handled_and_named(bluez_env, tmp_path):
    """A control point that refuses get-settings ("invalid op code", older firmware) still starts streams: they
    are started with the H10's published settings, and the recording's device line says so."""
    plan, _, _ = h10_plan(20.0)
    plan["pmd"]["variant"] = "older"
    rec, sent, err = run_record(bluez_env, tmp_path, plan, limit_s=60)
    requests = next(e for e in sent if e["event"] == "pmd_requests")["requests"]
    assert requests == ["0100", "0200" "0001" "8200" "0101" "0e00", "0102", "0202" "0001" "1900" "0101" "1000"
                        "0201" "0200"]
    for name in ("ecg", "acc"):
        assert rec.device["pmd"][name]["status"] == "success"
        assert "older control point (invalid op code" in rec.device["pmd"][name]["variant"]
    frames = [e for e in sent if e["event"] == "frame"]
    assert frames and len(rec.pmd_frames.raw) == len(frames)  # every frame sent is kept


@pytest.mark.long  # real time through BlueZoo (make test-long, run by CI too)
def test_raw_streams_that_fall_silent_are_recycled_while_heart_rate_goes_on(bluez_env, tmp_path):
    """An H10 whose ECG and ACC stop while its heart rate goes on (until subscribed afresh): the watchdog on the
    raw streams recycles the link, and frames flow again within 10 s of the last one."""
    plan, _, _ = h10_plan(40.0)
    i = int(np.searchsorted(np.asarray(plan["times_s"]), 15.0))
    plan["outages"] = [[i, 0.0, "raw_silent"]]
    rec, sent, err = run_record(bluez_env, tmp_path, plan, limit_s=100)
    lines = [json.loads(x) for x in (tmp_path / "rec.vcs.jsonl").read_text().splitlines()]
    resub = next(e for e in sent if e["event"] == "resubscribed")
    assert resub["ok"] and 5.0 <= resub["after_s"] <= 10.0
    silent = [o for o in lines if o["type"] == "link" and o["state"] == "silent"]
    assert silent and silent[0]["detail"].startswith("no raw data from the strap")
    frames = [e for e in sent if e["event"] == "frame"]
    after = [e for e in frames if e["t"] > resub["t"]]
    assert {e["type"] for e in after} == {0, 2}  # ECG and ACC flow again
    assert len(rec.pmd_frames.raw) == len(frames)  # every frame sent is kept
    requests = next(e for e in sent if e["event"] == "pmd_requests")["requests"]
    assert all(sum(r.startswith("02" + m) for r in requests) >= 2 for m in ("00", "02"))
