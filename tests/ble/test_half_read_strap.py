"""A half-read strap through unmodified bleak and BlueZoo: the first connection finds no Heart Rate Measurement
(its services still resolving, or a stale GATT cache); the services are read again before it is called not a
heart-rate strap."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np
import pytest

from tests.ble.conftest import PERIPHERAL, start_strap
from tests.ble.test_record_ble import _sent_rr, make_plan, run_record

pytestmark = pytest.mark.ble


def test_a_strap_whose_heart_rate_service_appears_late_connects(bluez_env, tmp_path):
    plan = make_plan(25, seed=7)
    plan["late_hr_s"] = 1.5  # the first connection, and a read 1 s later, see no 0x2A37
    rec, sent, err = run_record(bluez_env, tmp_path, plan, limit_s=60)
    events = [e["event"] for e in sent]
    assert events.index("first_connection") < events.index("services_complete") < events.index("start")
    sent_rr = _sent_rr(sent)
    assert len(sent_rr) == 25 and np.allclose(rec.rr_ms, sent_rr, atol=1e-3)
    assert rec.device.get("services_read", 1) >= 2  # connected on a later read of the services
    assert "not a heart-rate strap" not in err and not rec.gaps


def test_a_strap_that_never_shows_heart_rate_is_named_after_a_few_reads(bluez_env, tmp_path):
    plan = make_plan(5, seed=8)
    plan["late_hr_s"] = 1000.0
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(json.dumps(plan))
    strap, sent_log = start_strap(bluez_env, tmp_path, plan_path)
    out = tmp_path / "rec.vcs.jsonl"
    t0 = time.monotonic()
    try:
        r = subprocess.run([sys.executable, "-m", "vagal_coach", "record", "--device", PERIPHERAL, "--adapter",
                            "hci0", "--out", str(out), "--duration", "30"], env=bluez_env, capture_output=True,
                           text=True, timeout=120)
    finally:
        strap.kill()
    assert r.returncode == 2 and "Traceback" not in r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert "not a heart-rate strap" in last and "after reading the services 4 times" in last
    assert time.monotonic() - t0 < 60
    assert "saved:" in r.stderr and '"state":"connecting"' in out.read_text()  # the header and link events kept
