"""Public data the tests fetch from PyPI at run time (licences that forbid copying it into this repository).

``systole_task1_ecg()``: 25.6 min of single-lead ECG at 1000 Hz in mV (``Task1_ECG.npy``, from the sdist of
systole 0.3.1, GPL-3.0, Legrand & Allen 2022). It is downloaded once (about 6 MB, checked against PyPI's
sha256) into ``.venv/test-data`` (or ``$VAGAL_TEST_DATA``) and read there; it is never committed.

``systole_rr_ms()``: the 245 R-R intervals (ms) of systole's ``datasets/rr.txt`` from the same sdist, the
series its tests compare with Kubios HRV 2.2's report (GPL-3.0 too: fetched, never copied here).

``hrv_analysis_nn_ms()``: the 1000 NN intervals (ms) of hrv-analysis 1.0.6's ``tests/test_nn_intervals.txt``
(Aura Healthcare, GPL-3.0), whose figures its tests quote; fetched from its sdist likewise.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("VAGAL_TEST_DATA", ROOT / ".venv" / "test-data"))
SYSTOLE = ("systole", "0.3.1", "systole-0.3.1/src/systole/datasets/Task1_ECG.npy")
SYSTOLE_FS_HZ = 1000.0


def _pypi_sdist(name: str, version: str) -> bytes:
    """The sdist's bytes, found through PyPI's simple index (PEP 691 JSON) and checked against its sha256."""
    req = urllib.request.Request(f"https://pypi.org/simple/{name}/",
                                 headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        meta = json.load(r)
    want = f"{name}-{version}.tar.gz".replace("_", "-").lower()  # hrv-analysis's sdist is hrv_analysis-...
    sdist = next(f for f in meta["files"] if f["filename"].replace("_", "-").lower() == want)
    with urllib.request.urlopen(sdist["url"], timeout=120) as r:
        blob = r.read()
    if hashlib.sha256(blob).hexdigest() != sdist["hashes"]["sha256"]:
        raise RuntimeError(f"{sdist['url']}: sha256 differs from PyPI's")
    return blob


def _systole_member(member: str, path: Path) -> None:
    _sdist_member(*SYSTOLE[:2], member, path)


def _sdist_member(name: str, version: str, member: str, path: Path) -> None:
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(_pypi_sdist(name, version)), mode="r:gz") as tar:
            data = tar.extractfile(member)
            assert data is not None, member
            tmp = path.with_suffix(".part")
            tmp.write_bytes(data.read())
            tmp.replace(path)


def systole_task1_ecg() -> np.ndarray:
    """The ECG (mV, 1000 Hz) as a float array; fetched on first use."""
    name, version, member = SYSTOLE
    path = CACHE / f"{name}-{version}-Task1_ECG.npy"
    _systole_member(member, path)
    return np.load(path).astype(float)


def systole_rr_ms() -> np.ndarray:
    """systole's ``rr.txt`` (a CSV ``,rr`` of index and R-R in ms) as a float array; fetched on first use."""
    name, version, _ = SYSTOLE
    path = CACHE / f"{name}-{version}-rr.txt"
    _systole_member(f"{name}-{version}/src/systole/datasets/rr.txt", path)
    return np.loadtxt(path, delimiter=",", skiprows=1, usecols=1)


HRV_ANALYSIS = ("hrv-analysis", "1.0.6", "hrv_analysis-1.0.6/tests/test_nn_intervals.txt")


def hrv_analysis_nn_ms() -> np.ndarray:
    """hrv-analysis's test series (one NN interval in ms a line) as a float array; fetched on first use."""
    name, version, member = HRV_ANALYSIS
    path = CACHE / f"{name}-{version}-test_nn_intervals.txt"
    _sdist_member(name, version, member, path)
    return np.loadtxt(path)
