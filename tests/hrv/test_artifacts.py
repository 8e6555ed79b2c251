import numpy as np
import pytest

from vagal_coach.hrv.artifacts import (
    KINDS,
    correct_artifacts,
    detect_artifacts_lipponen,
    live_gate,
    range_gate,
)


def inject(rr, n_each=15, seed=0):
    """Inject ectopic, missed and extra beats into a clean series; returns (rr, positions in the new series)."""
    rng = np.random.default_rng(seed)
    rr = rr.copy()
    margin = min(150, rr.size // 8)
    sites = np.sort(rng.choice(np.arange(margin, rr.size - margin, 20), size=3 * n_each, replace=False))
    kinds = rng.permutation(["ectopic"] * n_each + ["missed"] * n_each + ["extra"] * n_each)
    out, truth = [], []
    last = 0
    for s, k in zip(sites, kinds):
        out.extend(rr[last:s])
        pos = len(out)
        if k == "ectopic":  # premature beat: a short interval and a compensatory long one
            short = 0.7 * rr[s]
            out.extend([short, rr[s] + rr[s + 1] - short])
            last = s + 2
        elif k == "missed":  # a beat not detected: two intervals merge
            out.append(rr[s] + rr[s + 1])
            last = s + 2
        else:  # an extra (spurious) beat splits one interval
            out.extend([0.4 * rr[s], 0.6 * rr[s]])
            last = s + 1
        truth.append((pos, k))
    out.extend(rr[last:])
    return np.array(out), truth


@pytest.mark.parametrize("name", ["rr_5min", "rr_1h"])
def test_lipponen_finds_injected_artifacts(name, request):
    rr0 = request.getfixturevalue(name)
    n_each = 4 if rr0.size < 1000 else 30
    rr, truth = inject(rr0, n_each=n_each)
    base = detect_artifacts_lipponen(rr0)
    lab = detect_artifacts_lipponen(rr)
    flagged = np.flatnonzero(lab)
    found = sum(np.any(np.abs(flagged - p) <= 1) for p, _ in truth)
    assert found / len(truth) >= 0.95
    # false alarms: flags away from every injected site, beyond what the clean recording already shows
    near = np.zeros(rr.size, bool)
    for p, _ in truth:
        near[max(0, p - 2): p + 3] = True
    false = np.count_nonzero(lab[~near]) - np.count_nonzero(base)
    assert false / rr.size <= 0.01


def test_against_neurokit2_kubios(rr_1h):
    """neurokit2's Kubios method on the clean 1 h recording: every ectopic beat it finds, ours finds and
    names ectopic too; ours raises fewer alarms overall (it leaves changes of rhythm alone and splits an
    interval only when it is two medians long)."""
    nk = pytest.importorskip("neurokit2")
    peaks = np.concatenate(([0], np.cumsum(rr_1h))).astype(int)
    info, _ = nk.signal_fixpeaks(peaks, sampling_rate=1000, method="Kubios", iterative=False)
    lab = detect_artifacts_lipponen(rr_1h)
    nk_ectopic = np.asarray(info["ectopic"]) - 1  # neurokit2 counts peaks; the interval ends at the peak
    assert np.all(lab[nk_ectopic] == 1 + KINDS.index("ectopic"))
    assert np.count_nonzero(lab == 1 + KINDS.index("ectopic")) == len(info["ectopic"])
    nk_total = sum(len(info[k]) for k in ("ectopic", "missed", "extra", "longshort"))
    assert np.count_nonzero(lab) < nk_total


def test_correction_repairs_missed_and_extra(rr_5min):
    rr, truth = inject(rr_5min, n_each=4, seed=2)
    res = correct_artifacts(rr)
    assert res.counts["missed"] >= 3 and res.counts["extra"] >= 3
    assert abs(res.rr_ms.size - rr_5min.size) <= 2
    # the corrected series is closer to the clean one than the corrupted one
    from vagal_coach.hrv.time_domain import time_domain
    clean = time_domain(rr_5min)["rmssd_ms"]
    assert abs(time_domain(res.rr_ms)["rmssd_ms"] - clean) < abs(time_domain(rr)["rmssd_ms"] - clean)
    assert res.corrected.sum() >= res.n_artifacts
    # total time is preserved by merge/split/ectopic repositioning
    assert res.t_s[-1] == pytest.approx(np.sum(rr) / 1000, abs=2.0)


def test_range_gate_and_live_gate():
    rr = np.array([800, 810, 805, 51.8, 795, 1043.9, 800, 400, 802, 2500, 799], float)
    assert range_gate(rr).tolist() == [True, True, True, False, True, True, True, True, True, False, True]
    ok = live_gate(rr)
    assert not ok[3] and not ok[9]
    assert not ok[5] and not ok[7]  # 30 % and 50 % away from the running median
    assert ok[[0, 1, 2, 4, 6, 8, 10]].all()


def test_live_gate_one_beat_against_history():
    hist = np.full(20, 800.0)
    assert live_gate([810.0], hist).tolist() == [True]
    assert live_gate([1200.0], hist).tolist() == [False]
    # the vectorised batch equals gating each beat with its own history
    rng = np.random.default_rng(0)
    x = 800 + rng.normal(0, 80, 300)
    x[::37] = 1500
    batch = live_gate(x)
    single = [live_gate([x[i]], x[:i])[0] for i in range(x.size)]
    assert batch.tolist() == single
