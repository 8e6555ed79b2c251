import numpy as np
import pytest

from vagal_coach.hrv.ringbuffer import BeatRingBuffer


def test_append_wraps_and_keeps_order():
    b = BeatRingBuffer(5)
    for i in range(12):
        b.append(float(i), 800.0 + i)
    assert len(b) == 5 and b.total == 12
    assert b.t_s.tolist() == [7.0, 8.0, 9.0, 10.0, 11.0]
    assert b.rr_ms.tolist() == [807.0, 808.0, 809.0, 810.0, 811.0]


def test_windows_are_views_not_copies():
    b = BeatRingBuffer(100)
    for i in range(250):
        b.append(i * 0.8, 800.0)
    t, rr, flags = b.window(10.0)
    assert np.shares_memory(t, b._t) and np.shares_memory(rr, b._rr)
    assert t[-1] == pytest.approx(249 * 0.8)
    assert np.all(t > t[-1] - 10.0)
    assert t.size == 13


def test_extend_equals_appends():
    a, b = BeatRingBuffer(16), BeatRingBuffer(16)
    t = np.arange(40.0)
    rr = 700 + t
    f = (t % 3 == 0).astype(np.uint8)
    for x, y, z in zip(t, rr, f):
        a.append(x, y, z)
    b.extend(t[:10], rr[:10], f[:10])
    b.extend(t[10:], rr[10:], f[10:])
    assert np.array_equal(a.t_s, b.t_s) and np.array_equal(a.flags, b.flags) and a.total == b.total


def test_window_with_end_time_and_empty():
    b = BeatRingBuffer(8)
    assert b.window(5.0)[0].size == 0
    for i in range(8):
        b.append(float(i), 1000.0)
    t, _, _ = b.window(3.0, end_s=5.0)
    assert t.tolist() == [3.0, 4.0, 5.0]
    assert b.last(2)[0].tolist() == [6.0, 7.0]
