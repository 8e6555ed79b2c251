"""``vagal-coach doctor``: the Bluetooth checks of :mod:`vagal_coach.sensors.doctor`, printed one a line, and the
support bundle (``--bundle FILE``) to attach to a bug report."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from vagal_coach.errors import UserError

SESSIONS_IN_BUNDLE = 5
KEPT_TYPES = ("header", "link", "device", "gap", "gap_start", "end", "rr_source", "bad_notification")


def add_command(sub: argparse._SubParsersAction) -> None:
    d = sub.add_parser("doctor", help="check Bluetooth: versions, the Bluetooth service, adapters, permissions, "
                       "straps in range; --connect one; --bundle a redacted report")
    d.add_argument("--adapter", metavar="hciN", help="Bluetooth adapter (Linux)")
    d.add_argument("--timeout", type=float, default=5.0, metavar="S", help="seconds to scan")
    d.add_argument("--connect", metavar="ADDRESS", help="connect to this strap and report what it offers")
    d.add_argument("--listen", type=float, default=5.0, metavar="S", help="seconds of notifications with --connect")
    d.add_argument("--no-scan", action="store_true", help="skip the scan")
    d.add_argument("--json", action="store_true", help="the checks as JSON")
    d.add_argument("--bundle", metavar="FILE", help="write a support bundle (JSON; addresses hashed): versions, "
                   "adapter facts, the checks and the last sessions' link events")
    d.set_defaults(func=cmd_doctor)


def last_sessions(n: int = SESSIONS_IN_BUNDLE) -> list[dict]:
    """The link story of the ``n`` newest recordings: header, device, link, gap and end lines (no beats)."""
    from vagal_coach.paths import RECORDING_SUFFIX, recordings_root

    root = recordings_root()
    files = sorted((p for p in root.rglob(f"*{RECORDING_SUFFIX}") if p.is_file()),
                   key=lambda p: p.stat().st_mtime, reverse=True)[:n] if root.is_dir() else []
    out = []
    for p in files:
        lines, bad = [], 0
        try:
            with open(p, encoding="utf-8", errors="replace") as f:
                for raw in f:
                    try:
                        o = json.loads(raw)
                    except ValueError:
                        bad += 1
                        continue
                    if isinstance(o, dict) and o.get("type") in KEPT_TYPES:
                        lines.append(o)
        except OSError as e:
            out.append({"file": p.name, "error": str(e)})
            continue
        out.append({"file": p.name, "events": lines, "unreadable_lines": bad})
    return out


def cmd_doctor(ns: argparse.Namespace) -> int:
    import asyncio

    from vagal_coach.sensors import doctor

    if ns.bundle and Path(ns.bundle).exists():
        raise UserError("file exists already; choose another name (nothing is overwritten)", path=ns.bundle)
    checks = asyncio.run(doctor.run_checks(ns.adapter, ns.timeout, ns.connect, ns.listen, not ns.no_scan))
    if ns.json:
        print(json.dumps([{"name": c.name, "ok": c.ok, "detail": c.detail, "hint": c.hint} for c in checks],
                         indent=1))
    else:
        for c in checks:
            print(c.line())
    faults = [c for c in checks if c.ok is False]
    if ns.bundle:
        data = doctor.bundle(checks, last_sessions())
        with open(ns.bundle, "x", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
        print(f"support bundle: {ns.bundle} (addresses and device ids hashed)", file=sys.stderr)
    if not ns.json:
        print(f"{len(faults)} problem(s) found" if faults else "no problem found", file=sys.stderr)
    return 1 if faults else 0
