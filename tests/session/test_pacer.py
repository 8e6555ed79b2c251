import numpy as np
import pytest

from vagal_coach.model import PacerEvent
from vagal_coach.model.pacer import PacerSchedule, ramp_schedule


def test_constant_rate_geometry():
    p = PacerSchedule.constant(6.0, inhale_fraction=0.4)  # 4 s in, 6 s out
    assert p.state_at(0.0).stage == "inhale" and p.state_at(0.0).volume == pytest.approx(0.0)
    assert p.state_at(2.0).volume == pytest.approx(0.5)
    assert p.state_at(4.0).volume == pytest.approx(1.0)
    s = p.state_at(7.0)
    assert s.stage == "exhale" and s.volume == pytest.approx(0.5) and s.cue == "breathe out"
    assert p.state_at(10.0).stage == "inhale" and p.state_at(10.0).breath_index == 1


def test_holds_take_their_seconds():
    p = PacerSchedule.constant(5.0, inhale_fraction=0.5, hold_in_s=2.0, hold_out_s=1.0)  # 12 s: 4.5 in 2 4.5 out 1
    assert p.state_at(4.0).stage == "inhale"
    assert p.state_at(5.0).stage == "hold_in" and p.state_at(5.0).volume == 1.0
    assert p.state_at(8.0).stage == "exhale"
    assert p.state_at(11.5).stage == "hold_out" and p.state_at(11.5).volume == 0.0


def test_rate_change_is_phase_continuous():
    p = PacerSchedule([PacerEvent(0.0, 6.0), PacerEvent(33.0, 4.5)])
    eps = 1e-6
    for f in (p.cycles_at, p.volume_at):
        a, b = f(np.array([33.0 - eps, 33.0 + eps]))
        assert abs(a - b) < 1e-4
    assert p.rate_at([10.0, 40.0]).tolist() == [6.0, 4.5]
    assert p.cycles_at([33.0])[0] == pytest.approx(3.3)


def test_ramp_integrates_in_closed_form_and_has_no_drift():
    p = PacerSchedule(ramp_schedule(12.0, 6.0, ramp_min=5.0))
    t = np.linspace(0, 3600, 2_000_001)
    numeric = np.concatenate(([0], np.cumsum(0.5 * (p.rate_at(t)[1:] + p.rate_at(t)[:-1]) * np.diff(t)))) / 60
    assert np.allclose(p.cycles_at(t)[::10000], numeric[::10000], atol=1e-6)
    assert p.rate_at([150.0])[0] == pytest.approx(9.0) and p.rate_at([400.0])[0] == 6.0
    # after the ramp: 300 s averaging 9 bpm = 45 cycles, then 6 bpm
    assert p.cycles_at([300.0])[0] == pytest.approx(45.0) and p.cycles_at([3600.0])[0] == pytest.approx(375.0)


def test_scalar_paths_equal_vector_paths():
    p = PacerSchedule([PacerEvent(0, 8.0, ramp_to_bpm=5.0, ramp_s=120), PacerEvent(300, 6.5)])
    for t in (0.0, 17.3, 119.9, 250.0, 300.0, 999.0):
        assert p.rate_scalar(t) == pytest.approx(p.rate_at([t])[0])
        assert p.cycles_scalar(t) == pytest.approx(p.cycles_at([t])[0])


def test_change_at_breath_boundary_and_limits():
    p = PacerSchedule.constant(6.0)
    q = p.with_change(PacerEvent(12.0, 5.0), at_breath_boundary=True)
    assert q.events[-1].t_s == pytest.approx(20.0, abs=1e-6)
    with pytest.raises(ValueError):
        PacerSchedule.constant(12.0)
    none = PacerSchedule([PacerEvent(0.0, 0.0)])
    assert none.state_at(5.0).stage == "none"
