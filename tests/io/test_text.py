"""Text readers: the fast path for plain tables."""

import numpy as np
import pytest


@pytest.mark.parametrize("body", ["800\n812.5\n790\n", "RR\r\n800\r\n812.5\r\n790\r\n", "0.8\n0.8125\n0.79",
                                  "t rr\n0.8 800\n1.6125 812.5\n2.4025 790\n"])
def test_fast_table_path_equals_the_general_one(tmp_path, body):
    from vagal_coach.io import read_recording
    from vagal_coach.io.text import _whitespace_table

    fast = tmp_path / "fast.txt"
    fast.write_text(body)
    slow = tmp_path / "slow.txt"
    slow.write_text(body.replace("\n", "\n# a comment\n", 1))  # a comment line: the general path
    assert _whitespace_table(fast.read_text()) is not None and _whitespace_table(slow.read_text()) is None
    a, b = read_recording(fast), read_recording(slow)
    assert np.array_equal(a.rr_ms, b.rr_ms) and np.array_equal(a.beat_t_s, b.beat_t_s) and a.format == b.format
    assert np.allclose(a.rr_ms, [800, 812.5, 790])
