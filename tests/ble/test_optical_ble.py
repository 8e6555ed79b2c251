"""An optical sensor through unmodified bleak and BlueZoo: recognised by its name, the user told plainly that
RMSSD from it is unreliable, and the recording's device line says so."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from tests.ble.conftest import PERIPHERAL, start_strap
from tests.ble.test_record_ble import make_plan
from vagal_coach.io import read_recording
from vagal_coach.sensors.optical import WARNING

pytestmark = pytest.mark.ble


@pytest.mark.parametrize("name,optical", [("Polar OH1 FAKE0001", True), ("Polar H10 FAKE0001", False)])
def test_an_optical_sensor_is_named_as_unfit_for_rmssd(bluez_env, tmp_path, name, optical):
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(json.dumps(make_plan(15, seed=9)))
    strap, sent_log = start_strap(bluez_env, tmp_path, plan_path, name=name)
    out = tmp_path / "rec.vcs.jsonl"
    rec_p = subprocess.Popen([sys.executable, "-m", "vagal_coach", "record", "--device", PERIPHERAL, "--adapter",
                              "hci0", "--out", str(out), "--duration", "60"], env=bluez_env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        strap.wait(60)
    finally:
        if strap.poll() is None:
            strap.kill()
        deadline = time.monotonic() + 20
        while '"type":"n"' not in (out.read_text() if out.exists() else "") and time.monotonic() < deadline:
            time.sleep(0.2)
        rec_p.send_signal(signal.SIGINT)
        _, err = rec_p.communicate(timeout=20)
    assert rec_p.returncode == 0, err
    rec = read_recording(out)
    if optical:
        assert rec.device["optical"] == "name (OH1)" and rec.device["hrv_warning"] == WARNING
        assert f"note: {WARNING} (recognised by its name (OH1))" in err
        assert "RMSSD" in WARNING and "unreliable" in WARNING
    else:
        assert "optical" not in rec.device and "note: optical" not in err
