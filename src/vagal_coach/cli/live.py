"""CLI commands for the live pipeline: scan, record, replay --headless (the window's headless twins)."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from vagal_coach.errors import UserError, printable


def _speed(text: str) -> float:
    if text == "max":
        return math.inf
    v = float(text)
    if not 0 < v <= 1000:
        raise argparse.ArgumentTypeError("speed must be in (0, 1000] or 'max'")
    return v


def add_commands(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("scan", help="list the heart-rate straps in range")
    s.add_argument("--timeout", type=float, default=5.0, metavar="S")
    s.add_argument("--adapter", metavar="hciN", help="Bluetooth adapter (Linux)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_scan)

    r = sub.add_parser("record", help="record a session headless (Ctrl-C ends it)")
    g = r.add_mutually_exclusive_group(required=True)
    g.add_argument("--device", metavar="ADDRESS", help="the strap's address (see 'scan')")
    g.add_argument("--simulate", action="store_true", help="use the simulated strap (not a real sensor)")
    r.add_argument("--duration", type=float, metavar="S", help="stop after S seconds")
    r.add_argument("--out", metavar="FILE", help="recording path (default: the user data folder)")
    r.add_argument("--rate", type=float, metavar="BPM", help="pacer rate in breaths/min (recorded)")
    r.add_argument("--protocol", choices=("stepped", "sliding", "fine-tune"),
                   help="run a resonance-frequency protocol (the pacer follows it; it sets the duration); "
                   "fine-tune tries the profile's rate (or --rate) and ± 0.25 breaths/min")
    r.add_argument("--rates", metavar="LIST", help="stepped: the rates, e.g. 6.5,6,5.5,5,4.5 (the default)")
    r.add_argument("--minutes", type=float, default=2.5, metavar="M", help="stepped/fine-tune: minutes per rate")
    r.add_argument("--rest", type=float, default=0.0, metavar="S", help="stepped/fine-tune: unpaced rest between")
    r.add_argument("--breaths", type=int, default=78, metavar="N", help="sliding: breaths in the sweep")
    r.add_argument("--adapter", metavar="hciN", help="Bluetooth adapter (Linux)")
    r.add_argument("--profile", default="default", help="client profile the recording belongs to")
    r.add_argument("--lsl", action="store_true", help="publish RR, HR, ECG, breathing and the pacer's phase on "
                   "Lab Streaming Layer")
    r.add_argument("--lsl-device-id", action="store_true", help="with --lsl: also publish the strap's full "
                   "name and hardware address (LSL metadata are visible to the local network)")
    r.add_argument("--no-raw", action="store_true",
                   help="a Polar H10 (or the simulated strap): no raw ECG and ACC streams")
    r.add_argument("--speed", type=_speed, default=1.0, help="simulated strap only: N times real time or max")
    r.add_argument("--seed", type=int, default=0, help="simulated strap only: random seed")
    r.add_argument("--sim-resonance", type=float, metavar="BPM",
                   help="simulated strap only: the simulated person's resonance frequency (default 5.5)")

    rs = sub.add_parser("resonance", help="resonance-frequency assessment of a recording made with a protocol")
    rs.add_argument("file", metavar="FILE")
    rs.add_argument("--json", action="store_true")
    rs.add_argument("--protocol", choices=("auto", "stepped", "sliding"), default="auto")
    rs.add_argument("--save-profile", metavar="P", help="store the recommended rate in client profile P "
                    "(it becomes the pacer's default)")
    rs.add_argument("--report", metavar="OUT.pdf", help="write the assessment report (evidence table, figures)")
    rs.add_argument("--force", action="store_true", help="replace an existing --report file (never the input)")
    rs.set_defaults(func=cmd_resonance)

    h = sub.add_parser("history", help="the session library: every recording with its key metrics")
    h.add_argument("--profile", metavar="P")
    h.add_argument("--json", action="store_true")
    h.add_argument("--rebuild", action="store_true", help="rebuild the index from the recording files")
    h.add_argument("--report", metavar="OUT.pdf", help="write a progress report across sessions")
    h.add_argument("--force", action="store_true", help="replace an existing --report file")
    h.set_defaults(func=cmd_history)
    r.set_defaults(func=cmd_record)
    from vagal_coach.cli import doctor as cli_doctor

    cli_doctor.add_command(sub)


def add_replay_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE")
    p.add_argument("--headless", action="store_true", help="no window: run the live engine and write snapshots")
    p.add_argument("--speed", type=_speed, default=math.inf, help="1..16 (or any N) times real time, or max")
    p.add_argument("--jsonl", metavar="OUT", help="one JSON snapshot per beat ('-' for stdout)")
    p.add_argument("--summary-json", metavar="OUT", help="the session summary (the figures the window shows at "
                   "the end of a replay) as JSON ('-' for stdout)")
    p.add_argument("--force", action="store_true", help="replace an existing --jsonl or --summary-json file "
                   "(never the input)")


def cmd_scan(ns: argparse.Namespace) -> int:
    import asyncio

    from vagal_coach.sensors.ble import scan

    straps = asyncio.run(scan(ns.timeout, ns.adapter))
    if ns.json:
        print(json.dumps([{"name": s.name, "address": s.address, "rssi_dbm": s.rssi_dbm} for s in straps]))
        return 0
    if not straps:
        print("no heart-rate strap found (wear it: most straps sleep until the electrodes touch wet skin); "
              "'vagal-coach record --simulate' runs the simulated strap", file=sys.stderr)
        return 1
    print(f"{'name':<28} {'address':<40} signal")
    for s in straps:
        print(f"{s.name:<28} {s.address:<40} {s.rssi_dbm if s.rssi_dbm is not None else '?'} dBm")
    return 0


def _fmt(v: float | None, f: str) -> str:
    return "--" if v is None or (isinstance(v, float) and not math.isfinite(v)) else f.format(v)


def fit(line: str, width: int) -> str:
    """The status line in ``width`` characters: the last `` | `` parts dropped first (the heart rate, RMSSD,
    contact and link come first), then cut with an ellipsis."""
    parts = line.split(" | ")
    while len(parts) > 1 and len(" | ".join(parts)) > width:
        parts.pop()
    out = " | ".join(parts)
    return out if len(out) <= width else out[: max(0, width - 1)] + "…"


class StatusLine:
    """The one-line live status: HR, RMSSD, contact, battery, link, time."""

    def __init__(self, session: Any, stream: Any = None, every_s: float = 5.0) -> None:
        self.session = session
        self.stream = stream = sys.stderr if stream is None else stream
        self.tty = stream.isatty()
        self.every_s = every_s
        self._last = 0.0

    def line(self) -> str:
        st = self.session.status
        s = st.last
        contact = {"contact": "contact ok", "no_contact": "NO CONTACT", "unsupported": "contact not reported",
                   "unknown": "contact ?"}.get(
            self.session.engine.contact, self.session.engine.contact)
        sim = " [SIMULATED]" if getattr(self.session.source, "simulated", False) else ""
        bat = f"battery {st.battery_pct}%" if st.battery_pct is not None else "battery ?"
        t = self.session.clock.now()
        hr, rmssd = _fmt(s.hr_bpm if s else None, "{:.0f}"), _fmt(s.rmssd_ms if s else None, "{:.1f}")
        from vagal_coach.clock import mmss

        clock = mmss(t)
        link = st.link_text(t)
        link = link if link.startswith(("searching", "no data")) else f"link {link}"
        from vagal_coach.session.raw import raw_status_texts

        raw = self.session.raw
        sched = self.session.engine.schedule
        extra = [x for x in raw_status_texts(raw.has_ecg, raw.has_acc, st.rr_source, st.agreement,
                                             st.breathing_rate_bpm, st.share_following, st.last_lag_deg,
                                             sched is not None and sched.rate_scalar(t) > 0,
                                             raw.starting(), raw.stuck_axes) if x]
        return (f"HR {hr} bpm | RMSSD {rmssd} ms | {contact} | {bat} | {link} | beats {st.n_beats} | {clock}{sim}"
                + "".join(" | " + x for x in extra))

    def columns(self) -> int:
        """The terminal's width now (it may be resized while recording); $COLUMNS wins, as for shutil."""
        import os
        import shutil

        if os.environ.get("COLUMNS", "").isdigit():
            return max(20, int(os.environ["COLUMNS"]))
        try:
            return max(20, os.get_terminal_size(self.stream.fileno()).columns)
        except (OSError, ValueError, AttributeError):
            return max(20, shutil.get_terminal_size((80, 24)).columns)

    def update(self, *_: object, force: bool = False) -> None:
        now = time.monotonic()
        if self.tty:
            if force or now - self._last > 0.2:  # rewrites itself: to the line's start, then clear its rest
                print("\r" + fit(printable(self.line()), self.columns() - 1) + "\x1b[K", end="", file=self.stream,
                      flush=True)
                self._last = now
        elif force or now - self._last >= self.every_s:
            print(printable(self.line()), file=self.stream, flush=True)
            self._last = now


def cmd_record(ns: argparse.Namespace) -> int:
    import asyncio

    from vagal_coach.clock import Clock
    from vagal_coach.model import PacerEvent
    from vagal_coach.model.pacer import PacerSchedule
    from vagal_coach.session.engine import LiveEngine
    from vagal_coach.session.recorder import Recorder
    from vagal_coach.session.runner import Session

    if ns.speed != 1.0 and not ns.simulate:
        raise UserError("--speed works with --simulate only (a real strap runs in real time)")
    out = Path(ns.out) if ns.out else None
    if out is not None and out.exists():
        raise UserError("file exists already; choose another name (recordings are never overwritten)", path=out)
    if ns.lsl:  # what can fail, before anything is made
        from vagal_coach.session.lsl import _pylsl

        _pylsl()
    schedule = None
    pacer_events: list[PacerEvent] = []
    kind = "practice"
    if ns.protocol:
        from vagal_coach.session import protocols

        pacer_events = protocol_events(ns)
        schedule = PacerSchedule(pacer_events)
        ns.duration = ns.duration or protocols.duration_s(pacer_events) + 2.0
        kind = f"rf-{ns.protocol}"
    elif ns.rate:
        if not 3.0 <= ns.rate <= 10.0:
            raise UserError("--rate must be 3-10 breaths/min")
        pacer_events = [PacerEvent(0.0, ns.rate)]
        schedule = PacerSchedule(pacer_events)
    clock = Clock(ns.speed)
    if ns.simulate:
        from vagal_coach.sensors.simulated import SIMULATED_ADDRESS, SIMULATED_NAME, SimulatedStrap
        from vagal_coach.synth import Physiology

        phys = Physiology(resonance_bpm=ns.sim_resonance) if ns.sim_resonance else None
        source: Any = SimulatedStrap(clock, phys, schedule=lambda: schedule, seed=ns.seed, duration_s=ns.duration,
                                     raw=not ns.no_raw)  # H10-like: raw ECG and ACC too, unless --no-raw
        device = {"name": SIMULATED_NAME, "address": SIMULATED_ADDRESS, "simulated": True}
        src_kind = "simulated"
    else:
        from vagal_coach.sensors.ble import BleStrap

        source = BleStrap(ns.device, clock, adapter=ns.adapter, raw=not ns.no_raw)
        device = {"address": ns.device, "adapter": ns.adapter}
        src_kind = "ble"
    recorder = Recorder(out, profile=ns.profile, kind=kind, device=device, source=src_kind)
    session = Session(source, LiveEngine(schedule), recorder, clock)
    session.set_pacer(schedule, pacer_events)
    if ns.lsl:
        from vagal_coach.session.lsl import LslOutlets

        LslOutlets(session, identify_device=ns.lsl_device_id).attach()
    status = StatusLine(session)
    session.on_snapshot.append(status.update)
    session.on_event.append(lambda ev: status.update(force=True) if type(ev).__name__ == "LinkEvent" else None)
    warned: list[str] = []

    def optical_note(ev: object) -> None:  # an optical sensor: said plainly, once
        warning = getattr(ev, "info", {}).get("hrv_warning") if type(ev).__name__ == "DeviceInfo" else None
        if warning and not warned:
            warned.append(warning)
            why = ev.info.get("optical", "")  # type: ignore[attr-defined]
            print(("\n" if status.tty else "") + f"note: {warning}" + (f" (recognised by its {why})" if why else ""),
                  file=sys.stderr, flush=True)

    session.on_event.append(optical_note)

    import signal

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, session.stop)
            except (NotImplementedError, RuntimeError):  # Windows
                pass
        async def tick() -> None:  # the line moves on while no beat arrives ("searching ... (0:42)")
            while True:
                await asyncio.sleep(1.0)
                if session.status.searching_since_s is not None or session.status.silent_since_s is not None:
                    status.update(force=status.tty)

        ticker = asyncio.ensure_future(tick())
        try:
            await session.run(ns.duration)
        finally:
            ticker.cancel()

    err: UserError | None = None
    try:
        asyncio.run(main())
    except UserError as e:
        err = e
    finally:
        recorder.close()
    if status.tty:
        print(file=sys.stderr)
    st = session.status
    if recorder.failed is not None:  # a full disk, a folder gone read-only: one line, what was kept
        raise recorder.failed
    if not recorder.created:
        if err is not None:
            raise UserError(f"{err.message}; no recording made", path=err.path, line=err.line)
        print("nothing received from the strap: no recording made", file=sys.stderr)
    else:
        print(f"saved: {printable(recorder.path)} ({st.n_beats} beats, {st.n_notifications} notifications, "
              f"{st.n_gaps} gap(s))", file=sys.stderr)
    if err is not None:
        raise err
    return 0


def protocol_events(ns: argparse.Namespace) -> list:
    from vagal_coach.session import protocols

    try:
        if ns.protocol == "sliding":
            if ns.breaths < 12:
                raise ValueError("--breaths must be at least 12")
            return protocols.sliding(breaths=ns.breaths)
        if ns.minutes <= 0 or ns.rest < 0:
            raise ValueError("--minutes must be positive and --rest not negative")
        if ns.protocol == "fine-tune":
            from vagal_coach.session.library import load_profile

            center = ns.rate or load_profile(ns.profile).get("resonance_bpm")
            if not center:
                raise ValueError(f"profile {ns.profile} has no resonance rate yet: run a stepped or sliding "
                                 "assessment first, or give --rate")
            return protocols.fine_tune(float(center), minutes=ns.minutes, rest_s=ns.rest)
        rates = [float(x) for x in ns.rates.split(",")] if ns.rates else list(protocols.STEPPED_RATES)
        if len(rates) < 2 or not all(3.0 <= r <= 10.0 for r in rates):
            raise ValueError("--rates needs at least two rates, each 3-10 breaths/min")
        return protocols.stepped(rates, ns.minutes, ns.rest)
    except ValueError as e:
        raise UserError(str(e)) from None


def cmd_replay_headless(ns: argparse.Namespace) -> int:

    from vagal_coach.clock import Clock
    from vagal_coach.io import read_recording
    from vagal_coach.io.atomic import atomic_path, check_target, write_text
    from vagal_coach.model.pacer import PacerSchedule
    from vagal_coach.sensors.replay import ReplaySource
    from vagal_coach.session.engine import LiveEngine
    from vagal_coach.session.runner import Session
    from vagal_coach.session.summary import replay_summary, summary_lines

    to_file = bool(ns.jsonl) and ns.jsonl != "-"
    summary_to_file = bool(ns.summary_json) and ns.summary_json != "-"
    if to_file:
        check_target(ns.jsonl, force=ns.force, inputs=[ns.file])
    if summary_to_file:
        check_target(ns.summary_json, force=ns.force, inputs=[ns.file])
    rec = read_recording(ns.file)
    clock = Clock(ns.speed)
    schedule = PacerSchedule(rec.pacer) if rec.pacer else None
    # as fast as possible: the sequential engine stages now, the snapshots on every core after
    parallel = math.isinf(ns.speed)
    engine = LiveEngine(schedule, deferred=parallel)
    session = Session(ReplaySource(rec, clock), engine, None, clock)
    with contextlib.ExitStack() as stack:
        out: TextIO | None = None
        if to_file:
            tmp = stack.enter_context(atomic_path(ns.jsonl, force=ns.force, inputs=[ns.file]))
            out = stack.enter_context(open(tmp, "w", encoding="utf-8"))
        elif ns.jsonl == "-":
            out = sys.stdout
        t0 = time.perf_counter()
        kept = _replay(session, engine, schedule, parallel, out)
    summary = replay_summary(session, kept, rec)
    for line in summary_lines(summary):
        print(line, file=sys.stderr)
    if ns.summary_json:
        text = json.dumps(summary.as_dict())
        if ns.summary_json == "-":
            print(text)
        else:
            write_text(ns.summary_json, text + "\n", force=ns.force, inputs=[ns.file])
    st = session.status
    print(f"replayed {printable(rec.name)}: {st.n_beats} beats in {time.perf_counter() - t0:.2f} s"
          + (f"; snapshots: {printable(ns.jsonl)}" if to_file else ""), file=sys.stderr)
    return 0


def _replay(session: Any, engine: Any, schedule: Any, parallel: bool, out: Any) -> list[Any]:
    """Run the replay, writing snapshots to ``out``; every snapshot (a Snapshot, or its dict when computed
    in parallel), for the session summary."""
    import asyncio

    write = out.write if out is not None else (lambda _s: None)

    def emit(s: Any) -> None:
        write(json.dumps(s.as_dict(), separators=(",", ":")) + "\n")

    kept: list[Any] = []
    if not parallel:
        session.on_snapshot.append(kept.append)
        if out is not None:
            session.on_snapshot.append(emit)
    asyncio.run(session.run())
    if parallel:
        from vagal_coach.session.parallel import snapshots

        for block in snapshots(engine.log, schedule, jsonl=True):
            write(block)
            kept.extend(json.loads(line) for line in block.splitlines() if line)
    return kept


def cmd_resonance(ns: argparse.Namespace) -> int:
    from vagal_coach.analysis.assessment import assess, table
    from vagal_coach.io import read_recording
    from vagal_coach.io.atomic import check_target

    if ns.report:
        check_target(ns.report, force=ns.force, inputs=[ns.file])
    rec = read_recording(ns.file)
    result = assess(rec, ns.protocol)
    if ns.json:
        d = result.as_dict()
        d["file"] = str(rec.path)
        print(json.dumps(d))
    else:
        print(table(result))
    if ns.report:
        from vagal_coach.report.resonance_pdf import write_resonance_report

        out = Path(ns.report)
        write_resonance_report(rec, result, out, force=ns.force, inputs=[ns.file])
        print(f"report: {out}", file=sys.stderr)
    if ns.save_profile:
        if result.recommended_bpm is None:
            raise UserError(f"no rate to save: {result.reason}", path=rec.path)
        from vagal_coach.session.library import save_resonance

        p = save_resonance(ns.save_profile, result.recommended_bpm, result.confidence, result.protocol, str(rec.path))
        print(f"saved {result.recommended_bpm:g} breaths/min to profile {ns.save_profile} ({p})", file=sys.stderr)
    return 0


def cmd_history(ns: argparse.Namespace) -> int:
    from vagal_coach.clock import mmss
    from vagal_coach.session.library import Library

    if ns.report:
        from vagal_coach.io.atomic import check_target

        check_target(ns.report, force=ns.force)
    lib = Library.open()
    if ns.rebuild or not lib.sessions():
        lib.rebuild()
    else:
        lib.refresh()
    rows = lib.sessions(ns.profile)
    if ns.report:
        from vagal_coach.report.history_pdf import write_history_report

        out = Path(ns.report)
        write_history_report(rows, out, profile=ns.profile, force=ns.force, inputs=[r["path"] for r in rows])
        print(f"report: {out} ({len(rows)} recordings)", file=sys.stderr)
    if ns.json:
        for r in rows:
            print(json.dumps(r))
        return 0
    if not rows:
        print("no recordings yet", file=sys.stderr)
        return 0
    print(f"{'date':<17} {'profile':<12} {'kind':<12} {'length':>7} {'rate':>5} {'rest lnRMSSD':>12} "
          f"{'RMSSD':>6} {'res. power':>10}  status")
    for r in rows:
        def f(v: Any, fmt: str) -> str:
            return fmt.format(v) if isinstance(v, (int, float)) else "—"

        date = (r["start_utc"] or "")[:16].replace("T", " ")
        dur = r["duration_s"]
        length = mmss(dur) if isinstance(dur, (int, float)) else "—"
        status = "ok" if r["status"] == "ok" else printable(f"UNREADABLE: {r['error']}")
        who, kind = printable(r["profile"], 12), printable(r["kind"] or "", 12)  # from the files: escaped
        print(f"{printable(date):<17} {who:<12} {kind:<12} {length:>7} "
              f"{f(r['rate_bpm'], '{:5.1f}')} {f(r['resting_ln_rmssd'], '{:12.2f}')} "
              f"{f(r['session_rmssd_ms'], '{:6.1f}')} {f(r['resonance_power_ms2'], '{:10.0f}')}  {status}")
    return 0
