"""BlueZoo on a private D-Bus: unmodified bleak talks to a fake GATT heart-rate strap."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

CENTRAL, PERIPHERAL = "00:11:22:33:44:00", "00:11:22:33:44:01"
HERE = Path(__file__).resolve().parent


def _bluezoo_exe() -> str | None:
    exe = Path(sys.executable).parent / "bluezoo"
    return str(exe) if exe.exists() else shutil.which("bluezoo")


@pytest.fixture
def bluez_env(tmp_path):
    with bluezoo_env(tmp_path) as env:
        yield env


@contextlib.contextmanager
def bluezoo_env(tmp_path):
    """A private D-Bus with BlueZoo and two mock adapters (hci0 central, hci1 peripheral)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    if not sys.platform.startswith("linux"):
        pytest.skip("BlueZoo mocks BlueZ: Linux only")
    if shutil.which("dbus-daemon") is None or _bluezoo_exe() is None:
        pytest.skip("needs dbus-daemon and bluezoo (make test installs them; .ci/run installs dbus)")
    out = subprocess.run(["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
                         capture_output=True, text=True, check=True).stdout.split()
    address, pid = out[0], int(out[1])
    env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=address, PYTHONUNBUFFERED="1")
    log = open(tmp_path / "bluezoo.log", "w")
    zoo = subprocess.Popen([_bluezoo_exe(), "--auto-enable", "--scan-interval", "1", "-a", CENTRAL, "-a",
                            PERIPHERAL], env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 15
    while "hci1" not in (tmp_path / "bluezoo.log").read_text() and "Adding adapter[1]" not in (
            tmp_path / "bluezoo.log").read_text():
        if time.monotonic() > deadline or zoo.poll() is not None:
            pytest.fail("BlueZoo did not start: " + (tmp_path / "bluezoo.log").read_text()[-500:])
        time.sleep(0.1)
    try:
        yield env
    finally:
        zoo.terminate()
        try:
            zoo.wait(5)
        except subprocess.TimeoutExpired:
            zoo.kill()
        log.close()
        try:
            os.kill(pid, 15)
        except ProcessLookupError:
            pass


def start_strap(env, tmp_path, plan_path, name="Polar H10 FAKE01", time_scale=1.0):
    sent = tmp_path / "sent.jsonl"
    p = subprocess.Popen([sys.executable, str(HERE / "fake_strap.py"), "--adapter", "hci1", "--central", "hci0",
                          "--plan", str(plan_path), "--log", str(sent), "--name", name,
                          "--time-scale", str(time_scale)],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = p.stdout.readline()
    if "ready" not in line:
        p.kill()
        pytest.fail("fake strap did not start: " + line + p.stdout.read())
    return p, sent



def record_scaled(env, strap: subprocess.Popen, out: Path, *, time_scale: float, rate_bpm: float | None = None,
                  limit_s: float = 300.0) -> dict:
    """``scaled_record.py`` in its own process: the session of ``vagal-coach record`` on a clock ``time_scale``
    times the wall clock (the strap's), until the strap's plan is done. Returns its status line (JSON)."""
    cmd = [sys.executable, str(HERE / "scaled_record.py"), "--device", PERIPHERAL, "--adapter", "hci0",
           "--out", str(out), "--time-scale", str(time_scale), "--duration", str(limit_s)]
    if rate_bpm:
        cmd += ["--rate", str(rate_bpm)]
    rec_p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        strap.wait(limit_s / time_scale + 60)
    finally:
        if strap.poll() is None:
            strap.kill()
        time.sleep(1.0)  # the last notifications arrive
        rec_p.send_signal(signal.SIGINT)
        out_text, err = rec_p.communicate(timeout=30)
    assert rec_p.returncode == 0, err
    return json.loads(out_text.strip().splitlines()[-1])
