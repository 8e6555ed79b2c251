"""`vagal-coach doctor` through unmodified bleak and BlueZoo: no D-Bus, an adapter powered off, no strap, a strap,
an H10; and the support bundle, addresses hashed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.ble.conftest import CENTRAL, PERIPHERAL, start_strap
from tests.ble.test_h10_pmd import h10_plan
from tests.ble.test_record_ble import make_plan
from vagal_coach.sensors.doctor import hash_address

pytestmark = pytest.mark.ble


def doctor(env, *args, timeout=120):
    r = subprocess.run([sys.executable, "-m", "vagal_coach", "doctor", *args], env=env, capture_output=True,
                       text=True, timeout=timeout)
    assert "Traceback" not in r.stderr + r.stdout, r.stderr
    return r.returncode, r.stdout, r.stderr


def line(out: str, name: str) -> str:
    return next(x for x in out.splitlines() if f"] {name}:" in x)


def test_no_dbus(tmp_path):
    import os

    env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=f"unix:path={tmp_path}/no-bus", VAGAL_COACH_HOME=str(tmp_path))
    rc, out, err = doctor(env, "--bundle", str(tmp_path / "b.json"))
    assert rc == 1 and line(out, "D-Bus").startswith("[FAIL]") and "cannot be reached" in out
    assert "] scan:" not in out  # nothing further is tried on a stack that is not there
    assert line(out, "Python").startswith("[ok  ]") and "] bleak:" in out and "] Qt:" in out
    b = json.loads((tmp_path / "b.json").read_text())
    assert any(c["name"] == "D-Bus" and c["ok"] is False for c in b["checks"]) and b["sessions"] == []


def _power_off(env):
    code = ("import asyncio\nfrom dbus_fast import BusType, Message, Variant\nfrom dbus_fast.aio import MessageBus\n"
            "async def m():\n    bus = await MessageBus(bus_type=BusType.SYSTEM).connect()\n"
            "    r = await bus.call(Message(destination='org.bluez', path='/org/bluez/hci0', "
            "interface='org.freedesktop.DBus.Properties', member='Set', signature='ssv', "
            "body=['org.bluez.Adapter1', 'Powered', Variant('b', False)]))\n    print(r.message_type)\n"
            "asyncio.run(m())\n")
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=30)


def test_adapter_powered_off(bluez_env):
    _power_off(bluez_env)
    rc, out, err = doctor(bluez_env, "--adapter", "hci0")
    assert rc == 1
    assert line(out, "D-Bus").startswith("[ok  ]") and line(out, "BlueZ").startswith("[ok  ]")
    assert line(out, "adapter hci0").startswith("[FAIL]") and "powered OFF" in out and "power on" in out
    assert "] scan:" not in out


def test_no_strap(bluez_env):
    rc, out, err = doctor(bluez_env, "--adapter", "hci0", "--timeout", "2")
    assert rc == 1 and line(out, "adapter hci0").startswith("[ok  ]")
    assert line(out, "scan").startswith("[FAIL]") and "no heart-rate strap found" in out


def test_a_strap_connected_and_a_bundle(bluez_env, tmp_path):
    home = tmp_path / "home"
    rec_dir = home / "recordings" / "default"
    rec_dir.mkdir(parents=True)
    (rec_dir / "20261205-050000-practice.vcs.jsonl").write_text(
        json.dumps({"type": "header", "device": {"address": PERIPHERAL, "name": "Polar H10 A1B2C3D4"}}) + "\n"
        + json.dumps({"type": "link", "t": 0.1, "state": "connected", "detail": PERIPHERAL}) + "\n"
        + json.dumps({"type": "n", "t": 1.0, "raw": "1048", "rr": [800.0]}) + "\nnot json\n"
        + json.dumps({"type": "link", "t": 9.0, "state": "silent", "detail": "no data from the strap for 5 s"}) + "\n")
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(json.dumps(make_plan(40, seed=10)))
    strap, _ = start_strap(bluez_env, tmp_path, plan_path, name="Wahoo TICKR FAKE")
    env = dict(bluez_env, VAGAL_COACH_HOME=str(home))
    try:
        rc, out, err = doctor(env, "--adapter", "hci0", "--timeout", "4", "--connect", PERIPHERAL, "--listen", "3",
                              "--bundle", str(tmp_path / "bundle.json"))
    finally:
        strap.kill()
    assert rc == 0, out + err
    assert f"Wahoo TICKR FAKE ({PERIPHERAL}" in line(out, "scan")
    assert line(out, "connect").startswith("[ok  ]")
    assert "Heart Rate" in line(out, "services") and "Battery" in line(out, "services")
    assert "64 %" in line(out, "battery") and "chest" in line(out, "body location")
    notes = line(out, "notifications")
    assert notes.startswith("[ok  ]") and "/s)" in notes
    assert line(out, "RR present").startswith("[ok  ]") and "] contact:" in out
    assert "PMD features" not in out  # not an H10
    text = (tmp_path / "bundle.json").read_text()
    assert PERIPHERAL not in text and CENTRAL not in text and "A1B2C3D4" not in text  # hashed
    b = json.loads(text)
    assert hash_address(PERIPHERAL) in text
    (sess,) = b["sessions"]
    assert [e["state"] for e in sess["events"] if e["type"] == "link"] == ["connected", "silent"]
    assert sess["unreadable_lines"] == 1 and not any(e["type"] == "n" for e in sess["events"])
    adapters = [c for c in b["checks"] if c["name"] == "adapter hci0"]
    assert adapters and adapters[0]["data"]["powered"] is True


def test_an_h10_reports_its_pmd_features(bluez_env, tmp_path):
    plan, _, _ = h10_plan(15.0)
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(json.dumps(plan))
    strap, sent_log = start_strap(bluez_env, tmp_path, plan_path)
    try:
        rc, out, err = doctor(bluez_env, "--adapter", "hci0", "--timeout", "4", "--connect", PERIPHERAL,
                              "--listen", "3")
    finally:
        strap.kill()
    assert rc == 0, out + err
    assert line(out, "PMD features").endswith("ECG, ACC")
    assert "Polar Measurement Data" in line(out, "services")
    assert "80 %" in line(out, "battery")
