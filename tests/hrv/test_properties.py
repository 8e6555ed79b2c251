"""Hypothesis: no crash on any finite input, and the invariants hold."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from vagal_coach import hrv
from vagal_coach.hrv.time_domain import rolling_rmssd, time_domain

rr_arrays = arrays(np.float64, st.integers(0, 400), elements=st.floats(250, 2500))


@settings(max_examples=150, deadline=None)
@given(rr_arrays)
def test_time_domain_invariants(rr):
    td = time_domain(rr)
    if rr.size >= 2:
        assert td["rmssd_ms"] >= 0 and 0 <= td["pnn50_pct"] <= td["pnn20_pct"] <= 100
        assert min(rr) - 1e-6 <= td["mean_rr_ms"] <= max(rr) + 1e-6
        t = np.cumsum(rr) / 1000
        roll = rolling_rmssd(t, rr, 1e9, min_beats=2)
        assert np.isclose(roll[-1], td["rmssd_ms"])


@settings(max_examples=80, deadline=None)
@given(rr_arrays)
def test_spectral_and_nonlinear_never_crash(rr):
    t = np.cumsum(rr) / 1000
    r = hrv.frequency_domain(t, rr)
    for v in (r.vlf_ms2, r.lf_ms2, r.hf_ms2):
        assert np.isnan(v) or v >= -1e-9
    hrv.poincare(rr)
    hrv.dfa(rr)
    hrv.sample_entropy(rr[:150])


@settings(max_examples=150, deadline=None)
@given(arrays(np.float64, st.integers(0, 300), elements=st.floats(1, 5000)))
def test_artifact_correction_invariants(rr):
    res = hrv.correct_artifacts(rr)
    assert res.labels.size == rr.size
    assert sum(res.counts.values()) == res.n_artifacts
    assert res.rr_ms.size == res.t_s.size == res.corrected.size
    assert np.all(np.isfinite(res.rr_ms))
    gate = hrv.live_gate(rr)
    assert gate.size == rr.size and not np.any(gate & ~hrv.range_gate(rr))
