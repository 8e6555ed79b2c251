"""Background work for the window: plain data in, plain data out, in a worker process.

No job sees a Qt object: each takes paths, numbers, recordings and results, and returns the same kinds of
things; the window reads its widgets before and shows the answer after, on the GUI thread. The work runs in
one spawned worker process, so nothing of the window (its Qt objects, the garbage collector) is touched by it,
and a job's crash cannot take the window down. Jobs that use the session library are given its folder.
(A program that opens the window from its own script needs the usual ``if __name__ == "__main__":`` guard:
the worker is spawned.)
"""

from __future__ import annotations

import asyncio
import dataclasses
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

_POOL: ProcessPoolExecutor | None = None


def _pool() -> ProcessPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return _POOL


def _warm() -> None:
    import vagal_coach.analysis.recording  # noqa: F401 - what most jobs need, imported once
    import vagal_coach.session.library  # noqa: F401


def warm() -> None:
    """Start the worker now (it imports what the jobs need), so the first job does not wait for it."""
    _pool().submit(_warm)


def shutdown() -> None:
    global _POOL
    if _POOL is not None:
        _POOL.shutdown(wait=False, cancel_futures=True)
        _POOL = None


async def run(fn: Any, *args: Any) -> Any:
    """Run the job ``fn(*args)`` (a module-level function of this module) in the worker process. A worker
    that died (killed, out of memory) is replaced, and the job tried once more in the new one."""
    from concurrent.futures.process import BrokenProcessPool

    global _POOL
    try:
        return await asyncio.wrap_future(_pool().submit(fn, *args))
    except BrokenProcessPool:
        _POOL = None
        return await asyncio.wrap_future(_pool().submit(fn, *args))


def _home(home: str) -> None:
    os.environ["VAGAL_COACH_HOME"] = home


# ---------------------------------------------------------------------------------------------- the jobs
def index_recording(home: str, path: str) -> None:
    """Add (or refresh) one recording in the session library."""
    from vagal_coach.session.library import Library

    _home(home)
    Library.open().index(Path(path))


def library_rows(home: str, profile: str | None, rebuild: bool) -> list[dict]:
    """The library's sessions of ``profile`` (None: every client), refreshed from the files first."""
    from vagal_coach.session.library import Library

    _home(home)
    lib = Library.open()
    if rebuild or not lib.sessions():
        lib.rebuild()
    else:
        lib.refresh()
    return lib.sessions(profile)


def assess_file(path: str) -> tuple[Any, Any]:
    """A protocol recording and its resonance assessment."""
    from vagal_coach.analysis.assessment import assess
    from vagal_coach.io import read_recording

    rec = read_recording(path)
    return rec, assess(rec)


def resonance_report(rec: Any, result: Any, out: str, force: bool = False) -> str:
    """``force``: the user chose to replace an existing file (the save dialog asked)."""
    from vagal_coach.report.resonance_pdf import write_resonance_report

    write_resonance_report(rec, result, Path(out), force=force, inputs=[rec.path] if rec.path else [])
    return out


def history_report(rows: list[dict], out: str, profile: str | None, force: bool = False) -> str:
    from vagal_coach.report.history_pdf import write_history_report

    write_history_report(rows, Path(out), profile=profile, force=force, inputs=[r["path"] for r in rows])
    return out


def export_recording(rec: Any, kind: str, out: str, markers: list[tuple[float, str]], force: bool = False) -> str:
    """A replay's export: the analysis PDF, or the recording (with the markers given) as RR text or EDF+.
    The recording given is not changed: the export writes a copy with those markers."""
    if kind == "pdf":
        from vagal_coach.analysis import analyze
        from vagal_coach.report import write_analysis_report

        write_analysis_report(analyze(rec), Path(out), force=force, inputs=[rec.path] if rec.path else [])
    else:
        from vagal_coach.io import Marker, write_recording

        write_recording(dataclasses.replace(rec, markers=[Marker(t, lab) for t, lab in markers]), Path(out),
                        force=force)  # never the recording itself (write_recording refuses its own path)
    return out


def chest_breathing(rec: Any) -> dict:
    """A recording's breathing waveform (for drawing) and its breaths' figures."""
    from vagal_coach.analysis.recording import breathing

    return breathing(rec, rec.beat_t_s, rec.rr_ms, waveform=True)
