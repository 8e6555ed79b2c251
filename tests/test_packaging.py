"""One version (pyproject's, read from the package metadata), a licence, and pinned constraints."""

import re
from importlib.metadata import version
from pathlib import Path

import vagal_coach

ROOT = Path(__file__).resolve().parents[1]


def test_the_version_is_the_package_metadata_s_and_written_once():
    assert vagal_coach.__version__ == version("vagal-coach")
    written = [p for p in (ROOT / "src").rglob("*.py") if re.search(r"__version__\s*=\s*['\"]\d+\.", p.read_text())]
    assert written == []
    assert len(re.findall(r'(?m)^version\s*=', (ROOT / "pyproject.toml").read_text())) == 1


def test_constraints_pin_every_package_but_the_project():
    lines = [ln for ln in (ROOT / "constraints.txt").read_text().splitlines() if ln and not ln.startswith("#")]
    assert lines and all(re.fullmatch(r"[A-Za-z0-9_.\-]+==[A-Za-z0-9_.+\-]+", ln) for ln in lines)
    names = {ln.split("==")[0].lower().replace("_", "-") for ln in lines}
    assert "vagal-coach" not in names and {"numpy", "scipy", "bleak", "pyside6-essentials"} <= names
    assert "MIT License" in (ROOT / "LICENSE").read_text()
