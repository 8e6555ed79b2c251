"""Lab Streaming Layer: a session with a (fake) H10's frames published on LSL, and pylsl inlets in the same
process receiving every stream with the right rates, metadata and values."""

from __future__ import annotations

import numpy as np
import pytest

from tests import pmd_wire
from vagal_coach import synth
from vagal_coach.clock import Clock
from vagal_coach.model import PacerEvent
from vagal_coach.model.pacer import PacerSchedule
from vagal_coach.sensors.events import DeviceInfo, Notification, PmdFrame
from vagal_coach.sensors.hrm import RR_UNIT_MS, encode_hrm
from vagal_coach.session.engine import LiveEngine
from vagal_coach.session.runner import Session
from vagal_coach.wire import pmd

pylsl = pytest.importorskip("pylsl")
from vagal_coach.session.lsl import LslOutlets  # noqa: E402

NS0 = 599_618_436_152_960_000
DURATION_S = 60.0


class NoSource:
    name = "fake H10"
    simulated = False

    async def close(self) -> None:
        return None


def h10_events() -> list:
    """Beats, ECG frames and ACC frames of a breathing heart, in arrival order."""
    grid = np.arange(0.0, DURATION_S + 2, 0.05)
    cycles = grid * 6.0 / 60.0
    heart = synth.HeartModel(seed=2)
    beats, _ = heart.advance(DURATION_S, lambda tt: np.interp(tt, grid, cycles), lambda tt: np.full(np.shape(tt), 6.0))
    evs: list = []
    for b, u in zip(beats[1:], np.round(np.diff(beats) * 1024).astype(int), strict=True):
        evs.append(Notification(float(b) + 0.02, encode_hrm(70, [u * RR_UNIT_MS])))
    _, ecg = synth.ecg_uv(beats, 130.0, DURATION_S)
    for k in range(0, ecg.size - 73, 73):
        t_last = (k + 72) / 130.0
        evs.append(PmdFrame(t_last + 0.03, pmd_wire.ecg_frame(NS0 + int(t_last * 1e9), ecg[k:k + 73])))
    _, acc = synth.chest_acc_mg(grid, synth.lung_volume(cycles), 25.0)
    acc = np.round(acc).astype(int)
    for k in range(0, acc.shape[0] - 25, 25):
        t_last = (k + 24) / 25.0
        if t_last < DURATION_S:
            evs.append(PmdFrame(t_last + 0.03, pmd_wire.acc_delta_frame(NS0 + int(t_last * 1e9), acc[k:k + 25])))
    return sorted(evs, key=lambda e: e.t_s)


def test_every_stream_reaches_an_inlet_with_its_rate_metadata_and_values() -> None:
    sched = PacerSchedule.constant(6.0)
    session = Session(NoSource(), LiveEngine(sched), None, Clock())  # type: ignore[arg-type]
    session.set_pacer(sched, [PacerEvent(0.0, 6.0)])
    lsl = LslOutlets(session, session_id="test-session-1").attach()
    pmd_info = {"ecg": {"settings": {"sample_rate": 130}}, "acc": {"settings": {"sample_rate": 25}}}
    session.handle(DeviceInfo(0.0, {"name": "Polar H10 ABCD1234", "address": "AA:BB", "pmd": pmd_info}))
    inlets = {}
    for kind in ("RR", "HR", "ECG", "Respiration", "Pacer"):
        found = pylsl.resolve_byprop("source_id", f"vagal-coach-test-session-1-{kind}", timeout=5.0)
        assert len(found) == 1, kind
        inlets[kind] = pylsl.StreamInlet(found[0], max_buflen=120, recover=False)
        inlets[kind].open_stream(timeout=5.0)
    snaps = []
    session.on_snapshot.append(snaps.append)
    ecg_sent = 0
    for ev in h10_events():
        session.handle(ev)
        if isinstance(ev, PmdFrame) and ev.raw[0] == pmd.ECG:
            ecg_sent += 73

    def pull(kind: str, n_min: int) -> tuple[np.ndarray, np.ndarray]:
        vals, ts = [], []
        for _ in range(50):
            v, t = inlets[kind].pull_chunk(timeout=0.2, max_samples=100000)
            vals += v
            ts += t
            if len(vals) >= n_min and not v:
                break
        return np.asarray(vals, dtype=float).reshape(-1), np.asarray(ts)

    info = {k: inlet.info(timeout=5.0) for k, inlet in inlets.items()}
    assert [info[k].nominal_srate() for k in ("RR", "HR", "ECG", "Respiration", "Pacer")] == [0.0, 0.0, 130.0,
                                                                                            12.5, 10.0]
    for i in info.values():
        assert i.channel_count() == 1
        desc = i.desc()
        assert desc.child_value("session_id") == "test-session-1"
        assert desc.child("device").child_value("name") == "Polar H10"  # the model: no serial, no address
        assert desc.child("device").child_value("address") == ""
        assert desc.child("channels").child("channel").child_value("unit")
    accepted = [s for s in snaps if s.accepted]
    rr, rr_ts = pull("RR", len(accepted))
    np.testing.assert_allclose(rr, [s.rr_ms for s in accepted], rtol=1e-6)
    np.testing.assert_allclose(rr_ts - lsl.offset_s, [s.t_s for s in accepted], atol=1e-3)
    hr, _ = pull("HR", len(accepted))
    np.testing.assert_allclose(hr, 60000.0 / rr, rtol=1e-5)
    ecg, ecg_ts = pull("ECG", ecg_sent)
    assert ecg.size == ecg_sent
    assert np.median(np.diff(ecg_ts)) == pytest.approx(1 / 130.0, rel=1e-3)
    breath, breath_ts = pull("Respiration", 500)
    assert abs(breath.size - 12.5 * (DURATION_S - 1)) < 15 and np.median(np.diff(breath_ts)) == pytest.approx(0.08)
    phase, phase_ts = pull("Pacer", 500)
    assert np.all((phase >= 0) & (phase <= 1)) and np.allclose(np.diff(phase_ts), 0.1, atol=1e-6)
    d = np.mod(phase - (phase_ts - lsl.offset_s) * 6.0 / 60.0 + 0.5, 1.0) - 0.5  # circular: 1.0 is 0.0
    assert np.abs(d).max() < 1e-4
    # the live engine used the ECG's beats once they were regular
    assert session.status.rr_source == "ecg"


def test_device_metadata_identify_the_strap_only_when_asked() -> None:
    from vagal_coach.session.lsl import device_metadata

    dev = {"name": "Polar H10 ABCD1234", "address": "A0:9E:1A:12:34:56"}
    assert device_metadata(dev) == {"name": "Polar H10", "simulated": "false"}
    assert device_metadata(dev, identify=True)["address"] == "A0:9E:1A:12:34:56"
    for name, model in (("Garmin HRM-Pro:123456", "Garmin HRM-Pro"), ("Coospo H6", "Coospo H6"),
                        ("Wahoo TICKR 1A2B", "Wahoo TICKR"), ("Polar OH1 A1B2C3D4", "Polar OH1")):
        assert device_metadata({"name": name})["name"] == model


def test_session_id_is_random_not_a_file_or_client_name(tmp_path) -> None:
    from vagal_coach.session.recorder import Recorder

    rec = Recorder(tmp_path / "Anna-Mueller-20260101.vcs.jsonl", profile="Anna Müller")
    session = Session(NoSource(), LiveEngine(None), rec, Clock())  # type: ignore[arg-type]
    ids = {LslOutlets(session).session_id for _ in range(3)}
    assert len(ids) == 3 and not any("Anna" in i or "2026" in i for i in ids)
