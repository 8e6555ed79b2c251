"""Guided soothing rhythm breathing: scripts, plans, and a whole session on the simulated strap."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest

from vagal_coach.clock import Clock
from vagal_coach.errors import UserError
from vagal_coach.hrv.breath import breathing_rate_bpm
from vagal_coach.io import read_recording
from vagal_coach.model.pacer import PacerSchedule
from vagal_coach.session import guided


@pytest.fixture()
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("VAGAL_COACH_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def english():
    return next(s for s in guided.available_scripts() if s.key == "soothing-rhythm.en")


def test_bundled_scripts_load_in_two_languages(home):
    keys = {s.key for s in guided.available_scripts()}
    assert {"soothing-rhythm.en", "soothing-rhythm.de"} <= keys
    s = english()
    assert [p.kind for p in s.phases] == ["settle", "slow", "soothing", "compassion", "rest"]
    assert s.reflection["question"]
    assert guided.available_scripts("de")[0].language == "de"


@pytest.mark.parametrize("minutes", [3, 5, 8, 10, 20])
def test_plan_fills_the_length_and_keeps_prompts_in_their_phase(home, minutes):
    p = guided.plan(english(), minutes, 5.5)
    assert p.phases[0].t0_s == 0.0
    assert p.phases[-1].t1_s == pytest.approx(60.0 * minutes)
    for a, b in zip(p.phases, p.phases[1:]):
        assert a.t1_s == pytest.approx(b.t0_s)
    assert ("compassion" in [x.kind for x in p.phases]) == (minutes >= 8)
    for q in p.prompts:
        ph = p.phase_at(q.t_s)
        assert ph is not None and ph.kind == q.phase
    # each phase has at least its minimum length
    mins = {x.kind: x.min_s for x in english().phases}
    assert all(x.t1_s - x.t0_s >= mins[x.kind] - 1e-9 for x in p.phases)


def test_plan_rejects_lengths_and_rates_out_of_range(home):
    with pytest.raises(UserError, match="3-20 min"):
        guided.plan(english(), 25, 5.5)
    with pytest.raises(UserError, match="outside 3-10"):
        guided.plan(english(), 10, 12)


def test_pacer_ramps_from_own_rate_to_resonance_and_rests_at_a_breath_boundary(home):
    p = guided.plan(english(), 10, 5.0)
    evs = p.pacer_events(12.0)
    sched = PacerSchedule(evs)
    slow = next(x for x in p.phases if x.kind == "slow")
    rest = next(x for x in p.phases if x.kind == "rest")
    assert sched.rate_scalar(slow.t0_s + 1e-6) == pytest.approx(12.0, abs=1e-3)
    assert sched.rate_scalar(slow.t1_s - 1e-6) == pytest.approx(5.0, abs=1e-3)
    assert sched.rate_scalar(slow.t1_s + 1.0) == pytest.approx(5.0)
    assert sched.rate_scalar(0.5 * (slow.t1_s + rest.t0_s)) == pytest.approx(5.0)
    off = next(e for e in evs if e.label == "rest")
    assert rest.t0_s <= off.t_s < rest.t0_s + 60 / 5.0 + 1e-6
    c = sched.cycles_scalar(off.t_s)
    assert abs(c - round(c)) < 1e-6  # the last paced breath finished
    assert sched.rate_scalar(off.t_s + 0.1) == 0.0
    # one already at the target: no ramp, straight to the resonance rate
    flat = p.pacer_events(5.2)
    assert all(e.ramp_s == 0 for e in flat)
    # unknown own rate: the ramp starts from the fallback
    assert p.pacer_events(float("nan"))[1].rate_bpm == guided.FALLBACK_OWN_BPM


def test_breathing_rate_from_the_rsa_peak():
    fs = 4.0
    t = np.arange(0, 120, 1 / fs)
    from vagal_coach.hrv.spectral import psd_welch

    x = 30 * np.sin(2 * np.pi * (13 / 60) * t) + np.random.default_rng(0).normal(0, 3, t.size)
    f, p = psd_welch(x, fs, window_s=120.0, nfft_min=1024)
    assert breathing_rate_bpm(f, p) == pytest.approx(13.0, abs=0.3)
    assert np.isnan(breathing_rate_bpm(f, np.ones_like(p)))  # flat: no clear rhythm
    assert np.isnan(breathing_rate_bpm(np.zeros(0), np.zeros(0)))


def test_user_script_replaces_the_bundled_one_and_bad_ones_are_named(home):
    d = json.loads((guided.resources.files("vagal_coach") / "data/guided/soothing-rhythm.en.json").read_text())
    d["title"] = "Our clinic's version"
    user = guided.user_scripts_dir()
    user.mkdir(parents=True)
    (user / "mine.json").write_text(json.dumps(d))
    (user / "broken.json").write_text('{"format": "vagal-coach guided script 1", "id": "x"}')
    assert english().title == "Our clinic's version"
    probs = guided.script_problems()
    assert len(probs) == 1 and "broken.json" in probs[0] and "not a valid guided script" in probs[0]


def run_guided(tmp_path, minutes=3.0, rf=5.5, speed=40.0, own_rhythm_at_s=None):
    from vagal_coach.sensors.simulated import SimulatedStrap
    from vagal_coach.session.recorder import Recorder
    from vagal_coach.session.trainer import Trainer
    from vagal_coach.synth import Physiology

    p = guided.plan(english(), minutes, rf)
    clock = Clock(speed)
    holder = {}
    src = SimulatedStrap(clock, Physiology(resonance_bpm=rf, spontaneous_bpm=13.0),
                         schedule=lambda: holder["t"].schedule if "t" in holder else None, seed=3)
    out = tmp_path / "g.vcs.jsonl"
    rec = Recorder(out, kind="guided", device={"name": "sim", "simulated": True}, source="simulated")
    g = guided.GuidedSession(p, None)
    tr = Trainer(src, clock, recorder=rec, events=g.first_events())
    holder["t"] = tr
    g.trainer = tr
    shown = []
    g.on_prompt.append(shown.append)

    async def main():
        drive = asyncio.ensure_future(g.drive())
        if own_rhythm_at_s is not None:
            async def later():
                await clock.sleep_until(own_rhythm_at_s)
                g.own_rhythm()
            asyncio.ensure_future(later())
        await tr.run(p.total_s)
        drive.cancel()

    asyncio.run(main())
    return p, g, out, shown


def test_a_whole_guided_session_on_the_simulated_strap(tmp_path, home):
    p, g, out, shown = run_guided(tmp_path)
    rec = read_recording(out)
    assert rec.kind == "guided"
    assert rec.guided.info.script == "soothing-rhythm"
    # every prompt was shown and recorded, in order, at its time
    texts = [q.text for q in shown if q is not None]
    assert texts == [q.text for q in p.prompts]
    recorded = rec.guided.prompts
    assert [o.text for o in recorded] == texts
    assert np.allclose([o.t_s for o in recorded], [q.t_s for q in p.prompts], atol=2.0)
    # one's own rate measured in the settle phase (the simulated person breathes at 13/min)
    assert g.own_bpm == pytest.approx(13.0, abs=1.5)
    ramp = next(e for e in rec.pacer if e.label == "slow")
    assert ramp.rate_bpm == pytest.approx(g.own_bpm, abs=0.01) and ramp.ramp_to_bpm == 5.5
    sched = PacerSchedule(rec.pacer)
    soothe = next(x for x in p.phases if x.kind == "soothing")
    assert sched.rate_scalar(soothe.t0_s + 5) == 5.5
    assert {m.label for m in rec.markers} >= {f"phase: {x.kind}" for x in p.phases}
    # the closing reflection, appended after the session, is read back and indexed
    guided.record_rating(out, 7, english().reflection["question"])
    assert read_recording(out).guided.ratings[0].value == 7
    from vagal_coach.session.library import Library

    lib = Library.open(tmp_path / "lib.sqlite3")
    assert lib.index(out)["rating"] == 7
    with pytest.raises(UserError, match="0-10"):
        guided.record_rating(out, 11, "q")


def test_the_client_may_breathe_in_their_own_way(tmp_path, home):
    p, g, out, _ = run_guided(tmp_path, own_rhythm_at_s=100.0)
    rec = read_recording(out)
    sched = PacerSchedule(rec.pacer)
    own = next(e for e in rec.pacer if e.label == "own rhythm")
    assert 100.0 <= own.t_s <= 100.0 + 60 / 5.5 + 1.0
    assert sched.rate_scalar(own.t_s + 1.0) == 0.0
    assert sched.rate_scalar(p.total_s - 1.0) == 0.0
    assert len(rec.guided.prompts) == len(p.prompts)  # prompts go on


def test_a_session_ends_on_time_even_when_the_loop_timer_fires_early(tmp_path):
    """Qt's coarse timers may fire up to 5 % early: a 20-minute session must not lose its last minute."""
    from vagal_coach.sensors.simulated import SimulatedStrap
    from vagal_coach.session.runner import Session

    clock = Clock(20.0)
    ends = []

    async def main():
        loop = asyncio.get_running_loop()
        real = loop.call_later
        loop.call_later = lambda d, cb, *a, **k: real(0.9 * d, cb, *a, **k)  # 10 % early
        try:
            sess = Session(SimulatedStrap(clock, seed=1), None, None, clock)
            await sess.run(30.0)
            ends.append(clock.now())
        finally:
            loop.call_later = real

    asyncio.run(main())
    assert ends[0] >= 30.0 - 1e-3
