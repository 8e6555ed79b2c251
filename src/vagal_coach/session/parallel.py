"""Snapshots of a whole recording computed on every core: the replay "as fast as possible".

The sequential part of the live engine (parser, beat clock, artifact gate) runs first, in order, as
live; then :func:`~vagal_coach.session.engine.compute_snapshot`, which depends only on the beats up to
each one, runs over chunks of beats in a process pool. The snapshots are identical to the live
engine's (a test holds them to it); results stream back in order, so memory stays flat.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from vagal_coach.model.pacer import PacerSchedule
from vagal_coach.session.engine import PANEL_WINDOW_S, QUALITY_WINDOW_S, Snapshot, compute_snapshot

_G: dict = {}


def _init(t: np.ndarray, rr: np.ndarray, ok: np.ndarray, contact: list[str], schedule: PacerSchedule | None
          ) -> None:
    _G.update(t=t, rr=rr, ok=ok, contact=contact, schedule=schedule, acc_t=t[ok], acc_rr=rr[ok],
              flags=(~ok).astype(np.uint8))


def _chunk(bounds: tuple[int, int]) -> list[Snapshot]:
    g = _G
    t, rr, ok, acc_t, acc_rr, flags = g["t"], g["rr"], g["ok"], g["acc_t"], g["acc_rr"], g["flags"]
    out = []
    cache: tuple[int, float] = (-1, float("nan"))
    for i in range(*bounds):
        ti = float(t[i])
        a1 = int(np.searchsorted(acc_t, ti, side="right"))
        a0 = int(np.searchsorted(acc_t, ti - PANEL_WINDOW_S, side="right"))
        f0 = int(np.searchsorted(t, ti - QUALITY_WINDOW_S, side="right"))
        snap, cache = compute_snapshot(ti, float(rr[i]), bool(ok[i]), acc_t[a0:a1], acc_rr[a0:a1],
                                       flags[f0:i + 1], g["schedule"], g["contact"][i], i + 1, cache)
        out.append(snap)
    return out


def _chunk_jsonl(bounds: tuple[int, int]) -> str:
    return "".join(json.dumps(s.as_dict(), separators=(",", ":")) + "\n" for s in _chunk(bounds))


def snapshots(log: list[tuple[float, float, bool, str]], schedule: PacerSchedule | None,
              workers: int | None = None, chunk: int = 2000, jsonl: bool = False) -> Iterator:
    """Snapshots for beats logged by a deferred :class:`LiveEngine` (time, RR, accepted, contact).

    With ``jsonl`` the workers also serialise, and blocks of JSON lines come back instead.
    """
    if not log:
        return
    work = _chunk_jsonl if jsonl else _chunk
    t = np.array([x[0] for x in log])
    rr = np.array([x[1] for x in log])
    ok = np.array([x[2] for x in log], dtype=bool)
    contact = [x[3] for x in log]
    bounds = [(a, min(a + chunk, t.size)) for a in range(0, t.size, chunk)]
    n = workers or os.cpu_count() or 1
    if n <= 1 or len(bounds) == 1:
        _init(t, rr, ok, contact, schedule)
        for b in bounds:
            if jsonl:
                yield work(b)
            else:
                yield from work(b)
        return
    with ProcessPoolExecutor(max_workers=n, initializer=_init, initargs=(t, rr, ok, contact, schedule)) as ex:
        for part in ex.map(work, bounds):
            if jsonl:
                yield part
            else:
                yield from part
