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

from vagal_coach.errors import UserError, printable
from vagal_coach.version import __version__

PROG = "vagal-coach"


def _err(msg: str) -> None:
    print(f"{PROG}: error: {msg}", file=sys.stderr)


# ---------------------------------------------------------------- analyze
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


def _say(msg: str) -> None:
    print(msg, file=sys.stderr)


def _found(ns: argparse.Namespace, exclude: list[Path]) -> Any:
    """The recordings of ``ns.files`` (outputs left out); what was skipped said in one line each; none at
    all is an error."""
    from vagal_coach.analysis import cohort

    found = cohort.discover(ns.files, exclude=exclude)
    for note in found.notes():
        print(f"{PROG}: note: {note}", file=sys.stderr)
    if not found.files:
        what = " ".join(cohort.one_line(str(f), 80) for f in ns.files)
        raise UserError(f"no recordings found in {what} (files ending in "
                        f"{', '.join(cohort.RECORDING_SUFFIXES)})")
    return found


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
    cohort.check_scheduler(ns.scheduler, ns.workers)
    security = cluster_security(ns)
    if out.exists() and not ns.resume:
        raise UserError("exists already: --resume continues it, or choose another name (results are never "
                        "overwritten)", path=out)
    settings = analysis_settings(ns)
    with cohort.table_lock(out):
        found = _found(ns, cohort.companions(out) + ([Path(ns.csv)] if ns.csv else []))
        files = found.files
        if out.exists():
            before = cohort.table_windows(out)
            if before and before != {settings.window_s} and not ns.new_window:
                def fw(w: float | None) -> str:
                    return "no --window" if w is None else f"--window {w:g}"
                raise UserError(f"the table was made with {', '.join(sorted(fw(w) for w in before))}, this run has "
                                f"{fw(settings.window_s)}: give the same, or --new-window to analyse every "
                                "recording again with the new one", path=out)
        done, wdone = cohort.done_rows(out) if out.exists() else ({}, [])
        digest = cohort.settings_hash(settings)
        reused = {str(p) for p in files if cohort.done_key(p, digest) in done}
        n_todo = len(files) - len(reused)
        if ns.resume and out.exists():
            _say(f"resuming {out}: {len(files) - n_todo} of {len(files)} recordings already done")
        # the windows of a recording analysed again (changed, or under other settings) are made again
        ckpt = cohort.Checkpointer(out, {r["path"]: r for r in done.values()},
                                   [w for w in wdone if str(w["file"]) in reused], bool(settings.window_s))

        with cohort.executor_for(ns.scheduler, ns.workers, _say, security) as ex, \
                cohort.progress_bar(n_todo) as step:
            def on_row(row: dict, w: list) -> None:
                ckpt.add(row, w)
                step(row["path"])

            try:
                res = cohort.run_cohort(found, settings, executor=ex, done=done, windows=bool(settings.window_s),
                                        on_row=on_row)
            except KeyboardInterrupt:
                ckpt.flush()
                _say(f"interrupted: {len(ckpt.rows)} of {len(files)} recordings are in {out}; --resume continues")
                return 130
        keep = {r["path"] for r in res.rows}
        ckpt.flush(res.rows, [w for w in ckpt.windows if w["file"] in keep])
    for r in res.failed:
        _err(str(r["error"]))
    ok = len(res.rows) - len(res.failed)
    _say(f"{ok} of {len(res.rows)} recordings analysed ({res.n_new} in this run), {len(res.failed)} failed; "
         f"table: {out}" + (f", windows: {cohort.windows_path(out)}" if settings.window_s else ""))
    return res.exit_code()


_LOOPBACK = ("localhost", "127.0.0.1", "::1", "[::1]")


def cluster_security(ns: argparse.Namespace) -> Any:
    """The Dask ``Security`` of a ``tls://`` scheduler from --tls-ca/--tls-cert/--tls-key (encryption and
    certificates required), or None (Dask's own configuration, if any, applies). A ``tcp://`` scheduler on
    another host is said to be unauthenticated, in one line."""
    flags = {"--tls-ca": ns.tls_ca, "--tls-cert": ns.tls_cert, "--tls-key": ns.tls_key}
    given = {k: v for k, v in flags.items() if v}
    scheme, _, rest = (ns.scheduler or "").partition("://")
    if given and scheme != "tls":
        raise UserError(f"{', '.join(given)} go with --scheduler tls://HOST:PORT")
    if scheme == "tcp":
        host = rest.rsplit(":", 1)[0] if rest.count(":") == 1 or rest.startswith("[") else rest
        if host not in _LOOPBACK:
            print(f"{PROG}: warning: {printable(ns.scheduler)} is unauthenticated and unencrypted (Dask's pickle "
                  "protocol: whoever can reach it can run code here and read the recordings); on a network "
                  "you do not control use tls:// with --tls-ca/--tls-cert/--tls-key", file=sys.stderr)
        return None
    if scheme != "tls":
        return None
    if not given:
        import dask

        if dask.config.get("distributed.comm.tls.ca-file", None):
            return None  # a Dask security configuration
        raise UserError("a tls:// scheduler needs --tls-ca, --tls-cert and --tls-key (or Dask's "
                        "distributed.comm.tls settings)", path=ns.scheduler)
    missing = [k for k, v in flags.items() if not v]
    if missing:
        raise UserError(f"a tls:// scheduler needs {', '.join(missing)} too", path=ns.scheduler)
    for k, v in flags.items():
        if not Path(v).is_file():
            raise UserError(f"{k}: no such file", path=v)
    from distributed.security import Security

    return Security(tls_ca_file=ns.tls_ca, tls_client_cert=ns.tls_cert, tls_client_key=ns.tls_key,
                    require_encryption=True)


def cmd_analyze(ns: argparse.Namespace) -> int:
    """``analyze PATH...``: the same analysis for one file and for many (in a process pool), printed by
    one printer."""
    from vagal_coach.analysis import cohort, summary_text

    if ns.out:
        return cmd_analyze_table(ns)
    if ns.resume or ns.scheduler or ns.new_window:
        raise UserError("--resume, --new-window and --scheduler go with --out results.parquet (a table of many "
                        "recordings)")
    cohort.check_scheduler(None, ns.workers)
    settings = analysis_settings(ns)
    from vagal_coach.io.atomic import check_target

    for target in (ns.csv, ns.report):  # an output named as an input is refused, never left out of the inputs
        if target:
            check_target(target, force=True, inputs=ns.files)
    found = _found(ns, [Path(ns.csv)] if ns.csv else [])
    files = [str(p) for p in found.files]

    reports = report_names(Path(ns.report), files) if ns.report else {}
    for target in [*reports.values(), *([Path(ns.csv)] if ns.csv else [])]:
        check_target(target, force=ns.force, inputs=files)  # before any work: nothing computed in vain
    if ns.csv and ns.report and Path(ns.csv) in reports.values():
        raise UserError("--csv and --report name the same file", path=ns.csv)
    failed = 0
    results: list[dict[str, Any]] = []
    progress = _Progress(len(files), enabled=len(files) > 1 and sys.stderr.isatty())
    want_report = ns.report is not None
    n_workers = 1 if want_report else min(len(files), ns.workers or os.cpu_count() or 1)
    with cohort.executor_for(None, n_workers) as ex:
        for o in cohort.outcomes(files, settings, ex, ordered=True, keep_analysis=want_report):
            progress.step(o.path)
            if o.error is not None or o.result is None:
                _err(str(o.error))
                failed += 1
                continue
            results.append(o.result)
            print(json.dumps(o.result) if ns.json else summary_text(o.result), flush=True)
            if want_report and o.analysis is not None:
                out = reports[o.path]
                from vagal_coach.report import write_analysis_report

                write_analysis_report(o.analysis, out, force=ns.force, inputs=files)
                print(f"report: {out}", file=sys.stderr)
    if ns.csv and results:
        _write_summary_csv(Path(ns.csv), results, force=ns.force, inputs=files)
        print(f"summary: {ns.csv}", file=sys.stderr)
    return 2 if failed else 0


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
    """One row per file: ``file`` and the cohort table's figures (the same columns, the same values)."""
    from vagal_coach.analysis.cohort import flat_row, metric_columns
    from vagal_coach.io.atomic import atomic_path

    rows = [{"file": r["file"], **flat_row(r)} for r in results]
    keys = ["file", *metric_columns()]
    keys += [k for k in dict.fromkeys(k for r in rows for k in r) if k not in keys]
    with atomic_path(path, force=force, inputs=inputs) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(keys)
        for r in rows:
            w.writerow([r.get(k) for k in keys])


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
    c.add_argument("--new-window", action="store_true", help="with --resume: the table was made with another "
                   "--window; analyse its recordings again with this one")
    c.add_argument("--workers", type=int, metavar="N", help="local processes (default: every core)")
    c.add_argument("--tls-ca", metavar="CA.pem", help="tls:// cluster: the certificate authority that signed the "
                   "scheduler's and workers' certificates")
    c.add_argument("--tls-cert", metavar="CERT.pem", help="tls:// cluster: this client's certificate")
    c.add_argument("--tls-key", metavar="KEY.pem", help="tls:// cluster: this client's private key")
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
    tr.add_argument("--lsl-device-id", action="store_true", help="with --lsl: also publish the strap's full name "
                    "and hardware address (LSL metadata are visible to the local network)")
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
    except BrokenPipeError:
        return _closed_pipe()
    except Exception as e:  # noqa: BLE001 - a bug: still one line, naming the file; --debug shows the traceback
        if ns.debug:
            raise
        name = getattr(ns, "file", None) or getattr(ns, "input", None)
        _err(str(UserError(f"unexpected {type(e).__name__}: {e} (a bug in vagal-coach: --debug shows the "
                           "traceback to report)", path=name)))
        return 1


def _closed_pipe() -> int:
    """The reader of our output went away (``analyze ... | head``): stop quietly, as other tools do."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush of stdout must not fail again
    except (OSError, ValueError):
        pass
    return 141  # 128 + SIGPIPE, what a shell reports for a command ended by a closed pipe


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
