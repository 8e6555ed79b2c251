"""The ``vagal-coach`` command line: one face over the same core the window uses."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vagal_coach import __version__
from vagal_coach.errors import UserError

PROG = "vagal-coach"


def _err(msg: str) -> None:
    print(f"{PROG}: error: {msg}", file=sys.stderr)


# ---------------------------------------------------------------- analyze
def _analyze_one(path: str, settings: Any) -> tuple[str, Any, str | None]:
    """Worker: returns (path, json dict, error line). Runs in a process pool for many files."""
    from vagal_coach.analysis import analyze, to_json_dict
    from vagal_coach.io import read_recording

    try:
        rec = read_recording(path)
        a = analyze(rec, settings)
        return path, to_json_dict(a), None
    except UserError as e:
        return path, None, str(e)


#: analyze's method flags (argparse dest -> setting name)
_METHOD_FLAGS = {"artifacts": "artifacts", "window": "window", "detrend": "detrend", "lambda_": "lambda",
                 "psd": "psd", "welch_window": "welch_window", "resample_hz": "resample_hz", "bands": "bands",
                 "range_ms": "range_ms"}


def analysis_settings(ns: argparse.Namespace) -> Any:
    """The methods of this run: the defaults, then ``--settings FILE.toml``, then each flag given."""
    from vagal_coach.analysis import AnalysisSettings, load_settings_file

    base = load_settings_file(ns.settings) if ns.settings else AnalysisSettings()
    given = {name: getattr(ns, dest) for dest, name in _METHOD_FLAGS.items() if getattr(ns, dest) is not None}
    try:
        return AnalysisSettings.from_mapping(given, base)
    except ValueError as e:
        raise UserError(str(e)) from None


class _Progress:
    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.done, self.enabled = total, 0, enabled

    def step(self, label: str) -> None:
        self.done += 1
        if self.enabled:
            w = 30
            k = int(w * self.done / self.total)
            print(f"\r[{'#' * k}{'.' * (w - k)}] {self.done}/{self.total} {label[-30:]:<30}", end="",
                  file=sys.stderr, flush=True)
            if self.done == self.total:
                print(file=sys.stderr)


def cmd_analyze_table(ns: argparse.Namespace) -> int:
    """``analyze PATH... --out results.parquet``: one row per recording, bad files named, resumable."""
    from vagal_coach.analysis import cohort

    out = Path(ns.out)
    if out.suffix.lower() not in (".parquet", ".csv"):
        raise UserError("--out must end in .parquet or .csv", path=out)
    try:
        import pandas  # noqa: F401
        if out.suffix.lower() == ".parquet":
            import pyarrow  # noqa: F401
    except ImportError as e:
        raise UserError(f"tables need the cluster extra ({e.name} missing): pip install 'vagal-coach[cluster]'",
                        path=out) from None
    if out.exists() and not ns.resume:
        raise UserError("exists already: --resume continues it, or choose another name (results are never "
                        "overwritten)", path=out)
    settings = analysis_settings(ns)
    files = cohort.find_recordings(ns.files)
    done, wdone = cohort.done_rows(out) if out.exists() else ({}, [])
    digest = cohort.settings_hash(settings)
    n_todo = sum(1 for p in files if cohort.done_key(p, digest) not in done)
    if ns.resume and out.exists():
        print(f"resuming {out}: {len(files) - n_todo} of {len(files)} recordings already done", file=sys.stderr)
    ckpt = cohort.Checkpointer(out, {r["path"]: r for r in done.values()}, wdone, bool(settings.window_s))

    def say(msg: str) -> None:
        print(msg, file=sys.stderr)

    with cohort.executor_for(ns.scheduler, ns.workers, say) as ex, cohort.progress_bar(n_todo) as step:
        def on_row(row: dict, w: list) -> None:
            ckpt.add(row, w)
            step(row["path"])

        try:
            res = cohort.run_cohort(files, settings, executor=ex, done=done, windows=bool(settings.window_s),
                                    on_row=on_row)
        except KeyboardInterrupt:
            ckpt.flush()
            say(f"interrupted: {len(ckpt.rows)} of {len(files)} recordings are in {out}; --resume continues")
            return 130
    ckpt.flush(res.rows)  # the windows: those resumed and those of this run
    for r in res.failed:
        _err(str(r["error"]))
    ok = len(res.rows) - len(res.failed)
    say(f"{ok} of {len(res.rows)} recordings analysed ({res.n_new} in this run), {len(res.failed)} failed; "
        f"table: {out}" + (f", windows: {cohort.windows_path(out)}" if settings.window_s else ""))
    return res.exit_code()


def cmd_analyze(ns: argparse.Namespace) -> int:
    from vagal_coach.analysis import analyze, summary_text, to_json_dict
    from vagal_coach.analysis.cohort import find_recordings
    from vagal_coach.io import read_recording

    if ns.out:
        return cmd_analyze_table(ns)
    if ns.resume or ns.scheduler:
        raise UserError("--resume and --scheduler go with --out results.parquet (a table of many recordings)")
    files: list[str] = [str(p) for p in find_recordings(ns.files)]
    from vagal_coach.io.atomic import check_target

    reports = report_names(Path(ns.report), files) if ns.report else {}
    for target in [*reports.values(), *([Path(ns.csv)] if ns.csv else [])]:
        check_target(target, force=ns.force, inputs=files)  # before any work: nothing computed in vain
    if ns.csv and ns.report and Path(ns.csv) in reports.values():
        raise UserError("--csv and --report name the same file", path=ns.csv)
    failed = 0
    results: list[dict[str, Any]] = []
    progress = _Progress(len(files), enabled=len(files) > 1 and sys.stderr.isatty())
    settings = analysis_settings(ns)
    want_report = ns.report is not None
    workers = min(len(files), os.cpu_count() or 1)
    if len(files) > 1 and workers > 1 and not want_report:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as ex:
            outs = list(ex.map(_analyze_one, files, [settings] * len(files)))
        for path, d, error in outs:
            progress.step(path)
            if error:
                _err(error)
                failed += 1
                continue
            results.append(d)
            if ns.json:
                print(json.dumps(d))
            else:
                _print_summary_dict(d)
    else:
        for path in files:
            try:
                rec = read_recording(path)
                a = analyze(rec, settings)
            except UserError as e:
                _err(str(e))
                failed += 1
                progress.step(path)
                continue
            d = to_json_dict(a)
            results.append(d)
            if ns.json:
                print(json.dumps(d))
            else:
                print(summary_text(a))
            if want_report:
                out = reports[path]
                from vagal_coach.report import write_analysis_report

                write_analysis_report(a, out, force=ns.force, inputs=files)
                print(f"report: {out}", file=sys.stderr)
            progress.step(path)
    if ns.csv and results:
        _write_summary_csv(Path(ns.csv), results, force=ns.force, inputs=files)
        print(f"summary: {ns.csv}", file=sys.stderr)
    return 2 if failed else 0


def _print_summary_dict(d: dict[str, Any]) -> None:
    from vagal_coach.analysis import SUMMARY_ROWS, fmt_duration

    print(f"{d['file']}  ({d.get('format', '')})")
    for label, key, f in SUMMARY_ROWS:
        v = d.get(key)
        txt = "n/a" if v is None else (fmt_duration(v) if f == "dur" else f.format(v))
        print(f"  {label:<10} {txt}")


def report_names(out: Path, files: Sequence[str]) -> dict[str, Path]:
    """One report per input: ``OUT`` for one file; for several ``OUT-<name>`` with as many of each input's
    folders as make the names differ (``s/a/x.txt``, ``s/b/x.txt``: ``rep-a-x.pdf``, ``rep-b-x.pdf``)."""
    if len(files) == 1:
        return {files[0]: out}

    parts = {f: [*Path(os.path.abspath(f)).parent.parts[1:], Path(f).name.split(".")[0] or Path(f).name]
             for f in files}
    deepest = max(len(v) for v in parts.values())
    for k in range(1, deepest + 1):
        names = {f: "-".join(v[-k:]) for f, v in parts.items()}
        if len(set(names.values())) == len(set(files)):
            break
    else:  # the same file given twice, or names that differ only in their suffix
        names = {f: f"{names[f]}-{i + 1}" for i, f in enumerate(files)}
    return {f: out.with_name(f"{out.stem}-{names[f]}{out.suffix}") for f in files}


def _write_summary_csv(path: Path, results: list[dict[str, Any]], *, force: bool = False,
                       inputs: Sequence[str] = ()) -> None:
    from vagal_coach.analysis import JSON_KEYS
    from vagal_coach.io.atomic import atomic_path

    keys = [k for k in JSON_KEYS if k != "artifacts"]
    kinds = sorted({k for r in results for k in r.get("artifacts", {})})
    with atomic_path(path, force=force, inputs=inputs) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(keys + [f"artifacts_{k}" for k in kinds])
        for r in results:
            w.writerow([r.get(k) for k in keys] + [r.get("artifacts", {}).get(k, 0) for k in kinds])


# ---------------------------------------------------------------- export / formats
def cmd_export(ns: argparse.Namespace) -> int:
    from vagal_coach.io import read_recording, write_recording
    from vagal_coach.io.atomic import check_target

    check_target(ns.output, force=ns.force, inputs=[ns.input])
    rec = read_recording(ns.input)
    fmt = write_recording(rec, ns.output, force=ns.force, inputs=[ns.input])
    print(f"wrote {ns.output} ({fmt}, {rec.n_beats} beats)", file=sys.stderr)
    return 0


def cmd_formats(ns: argparse.Namespace) -> int:
    from vagal_coach.io import FORMATS

    for k, v in FORMATS.items():
        print(f"{k:<22} {v}")
    return 0


# ---------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=PROG, description="HRV biofeedback breathing trainer (practice support, "
                                "not a medical device).")
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    p.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = p.add_subparsers(dest="command")

    a = sub.add_parser("analyze", help="analyse recordings offline")
    a.add_argument("files", nargs="+", metavar="PATH", help="files, folders (walked recursively) or globs")
    c = a.add_argument_group("cohorts (a table of many recordings)")
    c.add_argument("--out", metavar="OUT.parquet|OUT.csv", help="one row per recording (every JSON key, plus "
                   "path, size_bytes, mtime, settings_hash, error); with --window also OUT.windows.parquet")
    c.add_argument("--resume", action="store_true", help="skip recordings already in --out with the same path, "
                   "size, mtime and settings")
    c.add_argument("--scheduler", metavar="tcp://HOST:8786|local", help="run on a Dask distributed cluster "
                   "(its workers must see the same paths), or 'local' for a LocalCluster")
    c.add_argument("--workers", type=int, metavar="N", help="local processes (default: every core)")
    a.add_argument("--json", action="store_true", help="one JSON object per file on stdout")
    a.add_argument("--csv", metavar="OUT", help="summary CSV across files")
    a.add_argument("--report", metavar="OUT.pdf", help="PDF report (one per file when several: OUT-<name>.pdf)")
    a.add_argument("--force", action="store_true", help="replace an existing --csv or --report file (never an "
                   "input)")
    a.add_argument("--window", metavar="S", help="also the trend over consecutive S-second windows")
    m = a.add_argument_group("methods (defaults as Kubios HRV; every value is echoed in the output's settings)")
    m.add_argument("--settings", metavar="FILE.toml", help="a lab's settings: any of the options below, by name "
                   "(detrend, lambda, psd, welch_window, resample_hz, bands, range_ms, artifacts, window); "
                   "flags given as well win")
    m.add_argument("--artifacts", metavar="auto|none",
                   help="auto: Lipponen & Tarvainen 2019 correction (default); none: in-range beats as given")
    m.add_argument("--detrend", metavar="smoothness-priors|linear|none", help="default smoothness-priors")
    m.add_argument("--lambda", dest="lambda_", metavar="L", help="smoothness-priors lambda (default 500)")
    m.add_argument("--psd", metavar="welch|lomb", help="spectrum method (default welch)")
    m.add_argument("--welch-window", metavar="S", help="Welch segment length, s (default 256; 50 %% overlap)")
    m.add_argument("--resample-hz", metavar="HZ", help="interpolation rate for Welch (default 4)")
    m.add_argument("--bands", metavar="vlf=LO-HI,lf=LO-HI,hf=LO-HI",
                   help="band edges in Hz (default vlf=0.0033-0.04,lf=0.04-0.15,hf=0.15-0.4); bands not "
                   "given keep theirs")
    m.add_argument("--range-ms", metavar="LO-HI", help="accepted R-R range (default 300-2000)")
    a.set_defaults(func=cmd_analyze)

    e = sub.add_parser("export", help="convert a recording; the format follows OUT's suffix")
    e.add_argument("input", metavar="IN")
    e.add_argument("output", metavar="OUT", help=".vcs.jsonl | .txt (RR ms a line) | .csv | .edf")
    e.add_argument("--force", action="store_true", help="replace OUT if it exists (never the input)")
    e.set_defaults(func=cmd_export)

    f = sub.add_parser("formats", help="list the recording formats read")
    f.set_defaults(func=cmd_formats)
    from vagal_coach.cli import live as cli_live

    cli_live.add_commands(sub)
    tr = sub.add_parser("train", help="open the trainer window (the default command)")
    tr.add_argument("--simulate", action="store_true", help="use the simulated strap (not a real sensor)")
    tr.add_argument("--device", metavar="ADDRESS", help="the strap to offer first")
    tr.add_argument("--adapter", metavar="hciN", help="Bluetooth adapter (Linux)")
    tr.add_argument("--profile", default="default", help="client profile")
    tr.add_argument("--rate", type=float, metavar="BPM", help="pacer rate, breaths/min")
    tr.add_argument("--lsl", action="store_true", help="publish RR, HR, ECG, breathing and the pacer's phase on "
                    "Lab Streaming Layer")
    tr.set_defaults(func=_open_window)
    rp = sub.add_parser("replay", help="replay a recording (--headless: through the live engine, no window)")
    cli_live.add_replay_args(rp)
    rp.set_defaults(func=cmd_replay)
    return p


def cmd_replay(ns: argparse.Namespace) -> int:
    from vagal_coach.cli import live as cli_live

    if ns.headless:
        return cli_live.cmd_replay_headless(ns)
    return _open_window(ns)


def _open_window(ns: argparse.Namespace) -> int:
    try:
        from vagal_coach.gui.app import run_gui
    except ImportError as e:
        raise UserError(f"the window needs the GUI packages ({e.name} missing): pip install 'vagal-coach[gui]', "
                        "or use --headless") from None
    return run_gui(ns)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    ns = parser.parse_args(argv)
    if ns.command is None:
        return _default_command(ns, parser)
    try:
        return int(ns.func(ns) or 0)
    except UserError as e:
        if ns.debug:
            raise
        _err(str(e))
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # noqa: BLE001 - a bug: still one line, naming the file; --debug shows the traceback
        if ns.debug:
            raise
        name = getattr(ns, "file", None) or getattr(ns, "input", None)
        _err(str(UserError(f"unexpected {type(e).__name__}: {e} (a bug in vagal-coach: --debug shows the "
                           "traceback to report)", path=name)))
        return 1


def _default_command(ns: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """No command: open the trainer."""
    train = parser.parse_args(["train"])
    train.debug = ns.debug
    try:
        return _open_window(train)
    except UserError as e:
        _err(str(e))
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
