import numpy as np
import pytest

from vagal_coach.session.beatclock import BeatClock


def test_first_packet_back_dates_from_arrival():
    c = BeatClock()
    b = c.push(10.0, [800.0, 900.0])
    assert b.t_s.tolist() == pytest.approx([9.1, 10.0]) and b.reanchored


def test_continuous_clock_ignores_arrival_jitter():
    rng = np.random.default_rng(0)
    c = BeatClock()
    rr = 800 + rng.normal(0, 40, 300)
    t_true = 5.0 + np.cumsum(rr) / 1000
    out = []
    i = 0
    while i < rr.size:
        k = int(rng.integers(0, 3))
        chunk = rr[i:i + k]
        i += len(chunk)
        arrival = (t_true[i - 1] if len(chunk) else (t_true[i - 1] if i else 5.0)) + rng.uniform(0.0, 0.6)
        out.append(c.push(arrival, chunk).t_s)
    t = np.concatenate(out)
    assert t.size == rr.size
    # spacing is exactly the RR sum, whatever the arrival jitter
    assert np.allclose(np.diff(t) * 1000, rr[1:], atol=1e-6)
    assert c.reanchors == 0


def test_reanchor_and_gap_after_silence():
    c = BeatClock(gap_s=4.0)
    c.push(1.0, [1000.0])
    c.push(2.0, [1000.0])
    b = c.push(12.0, [1000.0, 1000.0])
    assert b.reanchored and b.gap is not None
    assert b.gap[0] == pytest.approx(2.0) and b.gap[1] == pytest.approx(10.0)
    assert b.t_s.tolist() == pytest.approx([11.0, 12.0])


def test_reanchor_when_clock_runs_ahead_keeps_order():
    c = BeatClock(max_lead_s=0.25)
    c.push(10.0, [1000.0])
    b = c.push(10.5, [1000.0])  # the RR sum says 11.0, the packet came at 10.5: beyond 0.25 s, re-anchor
    assert b.reanchored and b.t_s[0] > 10.0


def test_reset_forces_reanchor_with_gap():
    c = BeatClock()
    c.push(1.0, [1000.0])
    c.reset()
    b = c.push(3.5, [1000.0])
    assert b.reanchored and b.gap == pytest.approx((1.0, 2.5))
