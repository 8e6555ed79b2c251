"""Hypothesis run of the Heart Rate Measurement parser on >= 100k random payloads (too long for the suite).

Run: .venv/bin/python benchmarks/fuzz_hrm.py [N]   (default 100000). Any exception other than the typed
HrmParseError, or a decoded value out of range, fails the run.
"""

from __future__ import annotations

import sys
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vagal_coach.sensors.hrm import HrmParseError, parse_hrm

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
counts = {"ok": 0, "typed_error": 0}

payloads = st.one_of(st.binary(max_size=40),
                     st.tuples(st.integers(0, 255), st.binary(max_size=30)).map(lambda t: bytes([t[0]]) + t[1]))


@settings(max_examples=N, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(payloads)
def fuzz(data: bytes) -> None:
    try:
        m = parse_hrm(data)
    except HrmParseError:
        counts["typed_error"] += 1
        return
    counts["ok"] += 1
    assert 0 <= m.hr_bpm <= 65535
    assert all(0 <= r < 64000 for r in m.rr_ms)


if __name__ == "__main__":
    t0 = time.perf_counter()
    fuzz()
    n = counts["ok"] + counts["typed_error"]
    print(f"hypothesis: {n} payloads in {time.perf_counter() - t0:.0f} s: {counts['ok']} decoded, "
          f"{counts['typed_error']} typed errors, no crash")
