"""Reconnection through unmodified bleak and BlueZoo: N runs of each outage kind.

Each run starts a fresh BlueZoo and a fake strap (tests/ble/fake_strap.py), records with
``vagal-coach record --device``, and takes the strap away mid-session:

- ``drop``: the link drops, the stack keeps the strap (reconnect time from the drop);
- ``removed``: the stack forgets the strap, silent for ``--outage`` s, then it advertises again;
- ``power``: the central's adapter is off for ``--outage`` s, then on;
- ``long``: as ``removed``, for 120 s;
- ``silent``: the link stays up but the strap stops notifying until a central subscribes afresh (the data
  watchdog must notice it and recycle the link; the time is from the silence, target <= 10 s).

Prints, per kind, how many runs reconnected, the median and worst time from the strap's return
(advertising again, the drop, or the silence) to the recorder's subscription, and the beats lost (sent by the strap
but missing from the recording, or out of order). Usage::

    .venv/bin/python benchmarks/ble_reconnect.py [--runs 20] [--kinds drop,removed,power,silent] [--outage 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from tests.ble.conftest import bluezoo_env  # noqa: E402
from tests.ble.test_record_ble import _sent_rr, make_plan, run_record  # noqa: E402


def one_run(kind: str, outage_s: float, seed: int) -> tuple[float | None, int, str]:
    real_kind, secs = ("removed", 120.0) if kind == "long" else (kind, outage_s)
    plan = make_plan(30, seed=seed, outage=(12, secs, real_kind))
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        try:
            with bluezoo_env(tmp) as env:
                rec, sent, err = run_record(env, tmp, plan, limit_s=secs + 90)
        except BaseException as e:  # noqa: BLE001 - a failed run is counted, not fatal
            if isinstance(e, KeyboardInterrupt):
                raise
            return None, -1, f"{type(e).__name__}: {str(e)[-200:]}"
    resub = next((e for e in sent if e["event"] == "resubscribed"), None)
    sent_rr = np.array(_sent_rr(sent))
    n = min(sent_rr.size, rec.rr_ms.size)
    lost = int(sent_rr.size - rec.rr_ms.size) + int(np.count_nonzero(np.abs(sent_rr[:n] - rec.rr_ms[:n]) > 1e-3))
    if resub is None or not resub["ok"]:
        return None, lost, "never reconnected"
    return float(resub["after_s"]), lost, f"{len(rec.gaps)} gap(s)"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--kinds", default="drop,removed,power")
    ap.add_argument("--outage", type=float, default=5.0)
    ap.add_argument("--json", metavar="OUT", help="also write every run to this file")
    ns = ap.parse_args()
    rows = []
    for kind in ns.kinds.split(","):
        times, lost_total, failed = [], 0, 0
        for k in range(ns.runs):
            t, lost, note = one_run(kind, ns.outage, seed=100 + k)
            rows.append({"kind": kind, "run": k, "reconnect_s": t, "beats_lost": lost, "note": note})
            print(f"  {kind:<8} run {k + 1:>2}: " + (f"{t:5.2f} s" if t is not None else " FAIL ")
                  + f"  lost {lost}  {note}", flush=True)
            if t is None:
                failed += 1
            else:
                times.append(t)
            lost_total += max(lost, 0)
        ok = len(times)
        med = f"{statistics.median(times):.2f}" if times else "--"
        worst = f"{max(times):.2f}" if times else "--"
        since = "the silence began" if kind == "silent" else "the strap returned"
        print(f"{kind:<8} reconnected {ok}/{ns.runs}; median {med} s, worst {worst} s after {since}; "
              f"beats lost {lost_total}; failed runs {failed}", flush=True)
    if ns.json:
        Path(ns.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
