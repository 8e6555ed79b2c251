"""Polar PMD bytes: Polar's own SDK test vectors, and round trips through frames built as an H10 does."""

import numpy as np
import pytest

from tests import pmd_wire
from vagal_coach.wire import pmd


def test_acc_raw_frame_of_polars_sdk_tests():
    # AccDataTest "process acc raw data frame type 1": the first two samples of the frame
    hdr = bytes.fromhex("02 00 94 35 77 00 00 00 00 01")
    body = bytes.fromhex("F7 FF FF FF E7 03 F8 FF FE FF E5 03")
    f = pmd.parse_frame(hdr + body)
    assert (f.mtype, f.timestamp_ns, f.frame_type, f.compressed) == (pmd.ACC, 2_000_000_000, 1, False)
    assert pmd.acc_samples_mg(f).tolist() == [[-9, -1, 999], [-8, -2, 997]]


def test_acc_delta_frame_of_polars_sdk_tests():
    # AccDataTest "process acc compressed data type 1": reference (-15, 20, 1008), one 6-bit delta
    f = pmd.parse_frame(bytes.fromhex("02 65 00 00 00 00 00 00 00 81 F1 FF 14 00 F0 03 06 01 7B 0F 08"))
    assert f.compressed and f.frame_type == 1
    assert pmd.acc_samples_mg(f).tolist() == [[-15, 20, 1008], [-20, 17, 1008]]


def test_delta_block_of_10_bit_deltas():
    # AccDataTest "compressed data type 0": reference 0771 6AF0 8D9E, first delta (+190, -105, -85)
    payload = bytes.fromhex("71 07 F0 6A 9E 8D 0A 01 BE 5C BE BA")
    s = pmd.delta_decode(payload, 3, 16)
    assert s.tolist() == [[1905, 27376, -29282], [1905 + 190, 27376 - 105, -29282 - 85]]


def test_ecg_frames_round_trip():
    rng = np.random.default_rng(3)
    uv = rng.integers(-(2**23), 2**23, 73)
    f = pmd.parse_frame(pmd_wire.ecg_frame(123_456_789_000, uv))
    assert f.mtype == pmd.ECG and f.timestamp_ns == 123_456_789_000
    assert pmd.ecg_samples_uv(f).tolist() == uv.tolist()


@pytest.mark.parametrize("scale", [1, 30, 4000])
def test_acc_delta_frames_round_trip(scale):
    rng = np.random.default_rng(scale)
    mg = np.cumsum(rng.integers(-scale, scale + 1, (36, 3)), axis=0) + [0, 0, 1000]
    f = pmd.parse_frame(pmd_wire.acc_delta_frame(5, mg))
    assert pmd.acc_samples_mg(f).tolist() == mg.tolist()


def test_control_point_messages():
    assert pmd.parse_features(bytes.fromhex("0F 05 00")) == {pmd.ECG, pmd.ACC}
    assert pmd.settings_command(pmd.ACC) == b"\x01\x02"
    offered = pmd.parse_settings(pmd_wire.settings_params(pmd_wire.H10_ACC))
    assert offered == {pmd.SAMPLE_RATE: [25, 50, 100, 200], pmd.RESOLUTION: [16], pmd.RANGE: [2, 4, 8]}
    sel = pmd.choose_settings(pmd.ACC, offered)
    assert sel == {pmd.SAMPLE_RATE: 25, pmd.RESOLUTION: 16, pmd.RANGE: 2}
    # the start command an H10 expects for ECG: 02 00 00 01 82 00 01 01 0E 00
    ecg = pmd.choose_settings(pmd.ECG, pmd.parse_settings(pmd_wire.settings_params(pmd_wire.H10_ECG)))
    assert pmd.start_command(pmd.ECG, ecg) == bytes.fromhex("02 00 00 01 82 00 01 01 0E 00")
    r = pmd.parse_response(bytes.fromhex("F0 02 00 00 00 05 01 00 00 80 3F"))
    assert r.ok and r.op == pmd.START and pmd.parse_settings(r.params) == {pmd.FACTOR: [1.0]}
    bad = pmd.parse_response(bytes.fromhex("F0 02 02 03"))
    assert not bad.ok and bad.status_text == "not supported"
    with pytest.raises(pmd.PmdError):
        pmd.parse_response(b"\x01\x02")


def test_sample_times_and_the_sensor_clock():
    ts = pmd.sample_times_ns(2_000_000_000, 1_000_000_000, 4, 130)
    assert ts.tolist() == [1_250_000_000, 1_500_000_000, 1_750_000_000, 2_000_000_000]
    assert pmd.sample_times_ns(10**9, None, 2, 100).tolist() == [990_000_000, 10**9]
    clock = pmd.SensorClock()
    for k, late in enumerate([0.03, 0.01, 0.2, 0.012]):  # frames each 1 s, arriving late by `late`
        clock.observe((k + 700) * 10**9, 5.0 + k + late)
    assert clock.to_session_s(701 * 10**9) == pytest.approx(6.01)  # the least-delayed frame sets it
