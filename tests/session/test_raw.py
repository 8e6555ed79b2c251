"""The raw-stream pipeline without Bluetooth: H10 frames in (the strap's side of the wire format), beats,
breaths and the agreement with the strap's own beats out."""

from __future__ import annotations

import numpy as np

from tests import pmd_wire
from vagal_coach import synth
from vagal_coach.hrv.ecg import match_beats
from vagal_coach.session.raw import RawPipeline

NS0 = 599_618_436_152_960_000


def ecg_frames(beats: np.ndarray, fs_true: float, duration_s: float, delay_s: float = 0.03):
    _, ecg = synth.ecg_uv(beats, fs_true, duration_s, seed=1)
    for k in range(0, ecg.size - 73, 73):
        t_last = (k + 72) / fs_true
        yield t_last + delay_s, pmd_wire.ecg_frame(NS0 + int(t_last * 1e9), ecg[k:k + 73])


def test_beats_follow_the_sensors_clock_not_the_nominal_rate_and_agree_with_the_strap() -> None:
    rng = np.random.default_rng(0)
    beats = 1.0 + np.cumsum(0.85 + 0.05 * np.sin(np.arange(150) * 0.7) + rng.normal(0, 0.01, 150))
    raw = RawPipeline()
    found: list[float] = []
    for t_arr, frame in ecg_frames(beats, 130.0 * 1.02, beats[-1] + 1.0):  # a crystal 2 % fast
        up = raw.push(t_arr, frame)
        found += up.beat_t_s.tolist()
        assert np.all(up.beat_t_s <= t_arr + 1e-9)  # never ahead of what has arrived
    found_a = np.asarray(found)
    off = np.median(found_a - beats[np.abs(beats[:, None] - found_a[None, :]).argmin(axis=0)])
    assert abs(off - 0.03) < 0.005  # the transport delay the frames had
    i, j = match_beats(beats + off, found_a, 0.01)
    assert i.size >= beats.size - 3
    assert raw.ecg_good()
    # the strap's beats, timed later by their notifications (by up to a notification interval, more than
    # half a beat): the agreement takes that out
    for late_s in (0.18, 0.72, -0.3):
        share, med = raw.agreement(np.round((beats + late_s) * 1024) / 1024)
        assert share > 0.95 and med < 1.0, late_s
    # the strap's beats since its clock re-anchored (a late first notification): they cover only the last
    # part of the window, and the ECG's beats before them are not counted as missing
    share, med = raw.agreement(np.round((beats[beats > beats[-1] - 20.0] + 0.4) * 1024) / 1024)
    assert share > 0.95 and med < 1.0
    # a strap whose beats are not the ECG's (another rhythm) does not agree
    share, med = raw.agreement(beats[0] + np.cumsum(np.full(beats.size, 0.97)))
    assert not (share > 0.95 and med < 1.0)


def test_a_lost_frame_restarts_the_detector_and_no_interval_spans_it() -> None:
    beats = 1.0 + np.cumsum(np.full(100, 0.8))
    raw = RawPipeline()
    rr = []
    for n, (t_arr, frame) in enumerate(ecg_frames(beats, 130.0, beats[-1] + 1.0)):
        if n in (40, 41):
            continue  # two frames lost on the link
        rr += raw.push(t_arr, frame).rr_ms.tolist()
    rr_a = np.asarray(rr)
    assert np.isnan(rr_a).sum() == 2  # the first beat of all, and the first after the lost frames
    ok = rr_a[np.isfinite(rr_a)]
    assert np.all(np.abs(ok - 800.0) < 2.0)


def test_agreement_waits_for_enough_of_the_straps_beats_on_one_offset() -> None:
    """Just after a stall or a re-anchored beat clock the strap's beats on the new offset cover a few
    seconds: the comparison waits until they cover 20 s, then runs every 30 s."""
    from vagal_coach.session.tracking import AgreementTracker

    tr = AgreementTracker()
    tr.strap_beats(np.arange(0.0, 28.0, 0.8))
    assert tr.due(30.0)
    tr.strap_beats(np.array([30.5, 31.3, 32.1]), reanchored=True)  # a new offset: 1.6 s of beats
    tr.next_s = 30.0
    assert not tr.due(31.0)
    tr.strap_beats(np.arange(32.9, 53.0, 0.8))
    assert tr.due(53.0)
