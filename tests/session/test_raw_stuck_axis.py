"""The raw pipeline, live, with an H10 whose accelerometer axis is stuck at -2000 mG (glitching now and then):
the axis is found within its window, left out, and the breaths come from the other two; and the streams a
(re)connection started are "starting" until their first frame."""

from __future__ import annotations

import numpy as np

from tests import pmd_wire
from vagal_coach import synth
from vagal_coach.hrv.breath import breathing_rate_from_onsets
from vagal_coach.session.raw import RawPipeline

NS0 = 599_618_436_152_960_000
ACC_HZ = 25.0
BREATH_BPM = 7.0


def test_a_stuck_axis_is_left_out_live_and_breathing_comes_from_the_others() -> None:
    t = np.arange(0.0, 182.0, 0.05)
    cycles = 0.3 + t * BREATH_BPM / 60.0
    _, acc = synth.chest_acc_mg(t, synth.lung_volume(cycles), ACC_HZ, seed=7)
    acc = np.round(acc)
    acc[:, 1] = -2000.0  # stuck
    k = np.arange(0, acc.shape[0], int(3 * ACC_HZ))
    acc[k, 1] = np.random.default_rng(2).uniform(-2000, 2000, k.size)  # and glitching
    raw = RawPipeline()
    raw.configure({"acc": {"settings": {"sample_rate": 25, "resolution": 16, "range": 2}, "status": "success"}})
    assert raw.starting() == ("acc",)
    onsets: list[float] = []
    for j in range(0, acc.shape[0] - 25, 25):
        t_last = (j + 24) / ACC_HZ
        up = raw.push(t_last + 0.05, pmd_wire.acc_delta_frame(NS0 + int(t_last * 1e9), acc[j:j + 25].astype(int)))
        onsets += up.onsets_t_s.tolist()
        if t_last > 11.0:
            assert raw.stuck_axes == (False, True, False)
            assert raw._acc is not None and raw._acc.use_axes == (True, False, True)
    assert raw.starting() == ()
    # the waveform's sign is not known without beats: the breaths are its troughs either way, at the chest's rate
    assert abs(breathing_rate_from_onsets(onsets, last=10) - BREATH_BPM) < 0.3
    assert abs(len([o for o in onsets if o > 30.0]) - (180.0 - 30.0) * BREATH_BPM / 60.0) <= 2
