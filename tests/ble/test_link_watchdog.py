"""The data watchdog through unmodified bleak and BlueZoo: a strap that keeps the link up but stops notifying
(until a central subscribes afresh) is noticed, shown, marked as a gap and recycled, and its beats flow again."""

from __future__ import annotations

import numpy as np
import pytest

from tests.ble.test_record_ble import _sent_rr, make_plan, run_record
from vagal_coach.sensors.ble import SILENCE_S

pytestmark = pytest.mark.ble


def test_a_silent_live_link_is_recycled_within_10_s_and_the_gap_recorded(bluez_env, tmp_path):
    plan = make_plan(40, seed=6, outage=(15, 0.0, "silent"))
    rec, sent, err = run_record(bluez_env, tmp_path, plan, limit_s=90)
    gone = next(e for e in sent if e["event"] == "gone")
    resub = next(e for e in sent if e["event"] == "resubscribed")
    assert gone["kind"] == "silent" and resub["ok"], "the recorder never subscribed afresh"
    # noticed after SILENCE_S and recycled: subscribed afresh well within 10 s of the silence
    assert SILENCE_S <= resub["after_s"] <= 10.0  # from the last notification sent
    sent_rr = _sent_rr(sent)
    assert rec.rr_ms.size == len(sent_rr)  # every beat the strap sent is kept, in order
    assert np.allclose(rec.rr_ms, sent_rr, atol=1e-3)
    # the user is told, in words and with the time since the last data
    assert "no data from the strap (0:0" in err
    states = [s for _, s in rec.links]
    assert "silent" in states and states.count("connected") >= 2 and "lost" not in states
    # one gap, from the last beat before the silence to the first after it, within 10 s
    assert len(rec.gaps) == 1 and "1 gap(s)" in err
    g = rec.gaps[0]
    assert g.reason == "no data from the strap"
    assert SILENCE_S <= g.end_s - g.start_s <= 10.0 + 1.0  # + the first beat's own RR (<0.5 s here)
    n_before = sum(1 for e in sent if e["event"] == "sent" and e["t"] < gone["t"])
    assert n_before >= 10 and len(sent_rr) > n_before  # beats before and after the silence
