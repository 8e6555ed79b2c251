"""The table of docs/methods.md (every figure against published or peer values, issue 18) is what
``benchmarks/compare_methods.py --figures`` prints today, and each difference stays within its tolerance."""

from __future__ import annotations

import importlib.util

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def bench():
    pytest.importorskip("neurokit2")
    spec = importlib.util.spec_from_file_location("compare_methods", ROOT / "benchmarks" / "compare_methods.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def rows(bench):
    try:
        return bench.figure_rows()
    except OSError as e:  # pragma: no cover - PyPI unreachable (systole's rr.txt)
        pytest.skip(f"public data could not be fetched: {e}")


def test_each_figure_within_its_tolerance(rows):
    assert len(rows) >= 30
    for r in rows:
        if r["kind"] == "abs":
            assert abs(r["ours"] - r["ref"]) <= r["tol"], r
        else:
            assert r["ours"] == pytest.approx(r["ref"], rel=r["tol"]), r


def test_docs_table_is_the_benchmarks(bench, rows):
    docs = (ROOT / "docs" / "methods.md").read_text(encoding="utf-8")
    assert bench.figure_table_markdown(rows) in docs, "regenerate: benchmarks/compare_methods.py --figures"
