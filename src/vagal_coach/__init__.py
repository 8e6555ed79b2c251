"""vagal-coach: HRV biofeedback breathing trainer for soothing rhythm breathing.

It supports practice; it is not a medical device and makes no diagnostic claims.

For notebooks: :func:`read` one recording, :func:`analyze_files` many into a pandas DataFrame.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from vagal_coach.version import __version__

if TYPE_CHECKING:
    import pandas

    from vagal_coach.model import Recording

__all__ = ["__version__", "analyze_files", "read"]


def read(path: str | os.PathLike[str]) -> Recording:
    """One recording, any format the CLI reads (sniffed): ``.rr_ms``, ``.beat_t_s`` (s), ``.markers``,
    ``.pacer`` (the pacer's schedule), ``.device``, ``.gaps``; raises ``UserError`` with one line."""
    from vagal_coach.io import read_recording

    return read_recording(path)


def analyze_files(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], *,
                  scheduler: str | None = None, workers: int | None = None, **settings: Any) -> pandas.DataFrame:
    """Files, folders or globs into one table, one row per recording (the columns of ``analyze --out``);
    ``settings`` by the CLI's names (``detrend="linear"``, ``range_ms=(250, 2200)``, ``window=300`` ...);
    ``scheduler``: ``None`` (local processes), ``"local"`` (a Dask LocalCluster) or ``"tcp://HOST:8786"``."""
    from vagal_coach.analysis.cohort import analyze_files as run

    return run(paths, scheduler=scheduler, workers=workers, **settings)
