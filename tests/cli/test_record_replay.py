import asyncio
import json
import math
import os
import signal
import subprocess
import sys
import time

import numpy as np

from vagal_coach.clock import Clock
from vagal_coach.io import read_recording
from vagal_coach.sensors.simulated import SimulatedStrap


def test_record_simulated_then_replay_headless(tmp_path, run_cli):
    out = tmp_path / "sim.vcs.jsonl"
    r = run_cli("record", "--simulate", "--duration", "180", "--speed", "max", "--rate", "6", "--out", str(out),
             "--no-raw")
    assert r.returncode == 0, r.stderr
    assert "SIMULATED" in r.stderr and f"saved: {out}" in r.stderr
    rec = read_recording(out)
    assert rec.device["simulated"] is True and rec.pacer[0].rate_bpm == 6.0 and rec.n_beats > 150
    assert rec.rr_source == "strap" and rec.ecg is None
    js = tmp_path / "snap.jsonl"
    r = run_cli("replay", str(out), "--headless", "--speed", "max", "--jsonl", str(js))
    assert r.returncode == 0, r.stderr
    lines = [json.loads(x) for x in js.read_text().splitlines()]
    assert len(lines) == rec.n_beats
    assert {"t_s", "hr_bpm", "rmssd_ms", "ln_rmssd", "lf_ms2", "resonance_ms2", "coherence", "peak_to_trough_bpm",
            "quality_pct", "contact"} <= set(lines[-1])
    assert lines[-1]["pacer_bpm"] == 6.0 and lines[-1]["rmssd_ms"] > 0


def test_raw_streams_recorded_and_replayed_as_live(tmp_path, run_cli):
    """The simulated strap as an H10: its ECG and ACC frames are recorded, the file's beats are the ECG's,
    and a headless replay sends the frames again, so it analyses the ECG's beats as the session did."""
    out = tmp_path / "raw.vcs.jsonl"
    r = run_cli("record", "--simulate", "--duration", "180", "--speed", "max", "--rate", "6", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "beats from the ECG" in r.stderr and "% with the pacer" in r.stderr  # the status line
    rec = read_recording(out)
    assert rec.rr_source == "ecg" and rec.ecg is not None and rec.acc is not None and rec.strap_rr is not None
    js = tmp_path / "snap.jsonl"
    r = run_cli("replay", str(out), "--headless", "--speed", "max", "--jsonl", str(js))
    assert r.returncode == 0, r.stderr
    snaps = [json.loads(x) for x in js.read_text().splitlines()]
    t = np.array([o["t_s"] for o in snaps])
    rr = np.array([o["rr_ms"] for o in snaps])
    # the strap's beats until the ECG had 20 clean ones, then the ECG's: the file's beats from there on
    # (read back, the sensor clock's offset is taken from frames before and after, so within a few ms)
    late = rec.beat_t_s[rec.beat_t_s > 40.0]
    assert (t > 40.0).sum() == late.size and np.max(np.abs(t[t > 40.0] - late)) < 0.05
    assert abs(t.size - rec.n_beats) <= 3
    # the strap's RR come in steps of 1/1024 s, the ECG's do not: the replay analysed the ECG's
    steps = rr[t > 40.0] / (1000.0 / 1024.0)
    strap_steps = rec.strap_rr[1] / (1000.0 / 1024.0)
    assert np.mean(np.abs(steps - np.round(steps)) < 1e-3) < 0.1
    assert np.mean(np.abs(strap_steps - np.round(strap_steps)) < 1e-3) > 0.99


def test_kill_9_loses_at_most_the_notification_in_flight(tmp_path):
    out = tmp_path / "k.vcs.jsonl"
    p = subprocess.Popen([sys.executable, "-m", "vagal_coach", "record", "--simulate", "--speed", "40",
                          "--seed", "5", "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while (out.read_bytes().count(b'"type":"n"') if out.exists() else 0) < 40:  # well into the session
        assert p.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    rec = read_recording(out)  # a half-written last line is tolerated
    assert rec.n_notifications > 20
    # the simulator is deterministic: what was recorded is exactly the start of what it sends
    src = SimulatedStrap(Clock(math.inf), seed=5)

    async def expected(n):
        got = []
        async for ev in src.events():
            if type(ev).__name__ == "Notification":
                got.append(ev.raw.hex())
                if len(got) >= n:
                    break
        return got

    want = asyncio.run(expected(rec.n_notifications + 1))
    assert [r.hex() for r in rec.notifications.raw] == want[: rec.n_notifications]
    # and nothing before the kill is missing: the last recorded arrival is within one interval of the end
    lines = out.read_text().splitlines()
    assert not lines[-1].startswith('{"type":"end"')
    assert np.all(np.diff(rec.notifications.t_s) < 1.2)


def test_record_errors_are_one_line(tmp_path, run_cli):
    existing = tmp_path / "x.vcs.jsonl"
    existing.write_text("x")
    r = run_cli("record", "--simulate", "--out", str(existing), "--duration", "1")
    assert r.returncode == 2 and "exists" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("record", "--device", "AA:BB:CC:DD:EE:FF", "--speed", "4")
    assert r.returncode == 2 and "--simulate" in r.stderr
