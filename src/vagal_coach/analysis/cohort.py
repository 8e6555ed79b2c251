"""Many recordings at once: folders and globs in, one tidy table out, on one machine or a Dask cluster.

One recording is one task (:func:`analyze_one`, the same :func:`~vagal_coach.analysis.recording.analyze`
as for a single file), so a worker holds one recording at a time: its memory is bounded by the largest
file, not the cohort. The tasks go to a ``concurrent.futures`` executor: a local process pool by
default, or a Dask distributed cluster's executor (``Client.get_executor``): one code path for both.
A bad file never stops the run: its row carries the one-line reason in ``error``.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vagal_coach.analysis.recording import JSON_KEYS, AnalysisSettings, analyze, to_json_dict
from vagal_coach.errors import UserError
from vagal_coach.hrv.artifacts import KINDS

if TYPE_CHECKING:
    import pandas

#: what a folder walk picks up: the suffixes recordings come with (the content is sniffed all the same)
RECORDING_SUFFIXES = (".txt", ".csv", ".jsonl", ".edf", ".rr", ".tsv")
#: columns every row has before the metrics
META_COLUMNS = ("path", "size_bytes", "mtime", "settings_hash", "error")
METRIC_COLUMNS = tuple(k for k in JSON_KEYS if k not in ("file", "artifacts")) + ("format",) + tuple(
    f"artifacts_{k}" for k in KINDS)
COLUMNS = META_COLUMNS + METRIC_COLUMNS
WINDOW_COLUMNS = ("file", "window_start_s", "window_end_s", "n_beats", "mean_hr_bpm", "sdnn_ms", "rmssd_ms",
                  "ln_rmssd")


def settings_hash(settings: AnalysisSettings) -> str:
    """A short digest of every analysis setting: a row is reused by ``--resume`` only under the same one."""
    blob = json.dumps(settings.as_dict(), sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def find_recordings(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Every recording under ``paths``: a file as given, a folder walked recursively (files with a
    recording's suffix, hidden ones left out), or a glob (``**`` for any depth). Sorted, each once.
    A path that does not exist is kept (its reader names it, as for any bad file).

    Raises :class:`UserError` naming a glob that matches nothing."""
    out: dict[str, Path] = {}
    for raw in paths:
        s = str(raw)
        p = Path(s)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if not f.startswith(".") and f.lower().endswith(RECORDING_SUFFIXES):
                        q = Path(root) / f
                        out.setdefault(str(q), q)
        elif p.exists():
            out.setdefault(s, p)
        elif glob.has_magic(s):
            hits = sorted(glob.glob(s, recursive=True))
            if not hits:
                raise UserError("no file matches this pattern", path=s)
            for h in hits:
                if Path(h).is_file():
                    out.setdefault(h, Path(h))
        else:
            out.setdefault(s, p)
    return sorted(out.values(), key=str)


def _file_facts(path: Path) -> tuple[int, float]:
    st = path.stat()
    return int(st.st_size), round(float(st.st_mtime), 6)


def done_key(path: Path, digest: str) -> tuple | None:
    """What ``--resume`` matches a recording on: path, size, mtime and settings hash (None: unreadable)."""
    try:
        size, mtime = _file_facts(path)
    except OSError:
        return None
    return (str(path), size, mtime, digest)


def analyze_one(path: str, settings: AnalysisSettings, digest: str, windows: bool = False
                ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One task: the table row of one recording (``error`` set instead of metrics when it cannot be
    read or analysed), and its window rows when ``settings.window_s`` is set and ``windows``."""
    from vagal_coach.io import read_recording

    p = Path(path)
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(path=path, settings_hash=digest)
    try:
        row["size_bytes"], row["mtime"] = _file_facts(p)
        rec = read_recording(p)
        d = to_json_dict(analyze(rec, settings))
    except UserError as e:
        row["error"] = str(e)
        return row, []
    except (OSError, ValueError, MemoryError) as e:  # a file the readers did not foresee: still one line
        row["error"] = f"{path}: {type(e).__name__}: {e}"
        return row, []
    for k in METRIC_COLUMNS:
        if k.startswith("artifacts_"):
            row[k] = d["artifacts"].get(k[len("artifacts_"):], 0)
        else:
            row[k] = d.get(k)
    wrows: list[dict[str, Any]] = []
    trend = d.get("trend") if windows else None
    if trend:
        for i, start in enumerate(trend["start_s"]):
            wrows.append({"file": path, "window_start_s": start, "window_end_s": trend["end_s"][i],
                          **{k: trend[k][i] for k in WINDOW_COLUMNS[3:]}})
    return row, wrows


@dataclass
class CohortResult:
    rows: list[dict[str, Any]]  # every recording of the run, in path order (resumed ones included)
    window_rows: list[dict[str, Any]] = field(default_factory=list)
    n_new: int = 0  # analysed in this run (the rest came from the table being resumed)

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r.get("error")]

    def exit_code(self) -> int:
        """0 when every recording was read, 1 when some failed, 2 when none could be."""
        if not self.rows:
            return 2
        n_bad = len(self.failed)
        return 0 if n_bad == 0 else (2 if n_bad == len(self.rows) else 1)


def _worker_init() -> None:
    """Workers leave Ctrl-C to the parent, which writes what is done and stops them."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def executor_for(scheduler: str | None = None, workers: int | None = None,
                 say: Callable[[str], None] | None = None) -> Iterator[Executor | None]:
    """Where the tasks run: ``None`` -> a local process pool of ``workers`` (all cores; in this process
    when 1); ``"local"`` -> a Dask ``LocalCluster`` (its dashboard link is said); ``"tcp://HOST:8786"``
    -> an existing Dask distributed cluster, whose workers must see the same paths."""
    n = workers or os.cpu_count() or 1
    if scheduler is None:
        if n <= 1:
            yield None
            return
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=n, initializer=_worker_init) as ex:
            yield ex
        return
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise UserError("a Dask cluster needs the cluster extra: pip install 'vagal-coach[cluster]'",
                        path=scheduler) from None
    cluster = None
    try:
        if scheduler == "local":
            # the workers' statistical profiler (every 10 ms) and GIL monitor (every 1 ms) cost a few per cent
            # of each core on tasks of ~30 ms; a cohort run does not need them (the dashboard still works)
            with dask.config.set({"distributed.worker.profile.enabled": False,
                                  "distributed.admin.system-monitor.gil.enabled": False}):
                cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
            client = Client(cluster)
            if say:
                say(f"Dask LocalCluster with {n} workers; dashboard: {client.dashboard_link}")
        else:
            client = Client(scheduler, timeout=10)
            if say:
                say(f"Dask cluster at {scheduler}: {len(client.scheduler_info()['workers'])} workers; "
                    f"dashboard: {client.dashboard_link}")
    except OSError as e:
        raise UserError(f"cannot reach the Dask scheduler ({e}); is it running, and the address right?",
                        path=scheduler) from None
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_cohort(paths: Iterable[str | os.PathLike[str]], settings: AnalysisSettings | None = None, *,
               executor: Executor | None = None, done: dict[tuple, dict[str, Any]] | None = None,
               windows: bool = False, on_row: Callable[[dict[str, Any], list[dict[str, Any]]], None] | None = None
               ) -> CohortResult:
    """Analyse every recording under ``paths`` (see :func:`find_recordings`) with ``executor`` (in this
    process when ``None``). ``done`` maps ``(path, size_bytes, mtime, settings_hash)`` to rows already in a
    table being resumed: those recordings are not analysed again. ``on_row`` is called as each finishes."""
    s = settings or AnalysisSettings()
    digest = settings_hash(s)
    files = find_recordings(paths)
    done = done or {}
    rows: dict[str, dict[str, Any]] = {}
    todo: list[str] = []
    for p in files:
        key = str(p)
        dk = done_key(p, digest)
        prev = done.get(dk) if dk is not None else None
        if prev is not None:
            rows[key] = prev
        else:
            todo.append(key)
    wrows: list[dict[str, Any]] = []

    def take(row: dict[str, Any], w: list[dict[str, Any]]) -> None:
        rows[row["path"]] = row
        wrows.extend(w)
        if on_row:
            on_row(row, w)

    if executor is None:
        for key in todo:
            take(*analyze_one(key, s, digest, windows))
    else:
        futures: list[Future] = [executor.submit(analyze_one, key, s, digest, windows) for key in todo]
        try:
            for f in as_completed(futures):
                take(*f.result())
        finally:
            for f in futures:
                f.cancel()
    ordered = [rows[str(p)] for p in files if str(p) in rows]
    return CohortResult(ordered, sorted(wrows, key=lambda r: (r["file"], r["window_start_s"])), len(todo))


# ---------------------------------------------------------------- tables
def to_frame(rows: list[dict[str, Any]], columns: tuple[str, ...] = COLUMNS) -> pandas.DataFrame:
    import pandas as pd

    df = pd.DataFrame(rows, columns=list(columns))
    for c in ("path", "settings_hash", "error", "format", "file"):
        if c in df:
            df[c] = df[c].astype("string")
    return df


def read_table(path: Path) -> pandas.DataFrame:
    import pandas as pd

    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype={"path": "string", "settings_hash": "string", "error": "string"})
    except Exception as e:  # noqa: BLE001 - any unreadable table: one line
        raise UserError(f"cannot read the table to resume ({type(e).__name__}: {e})", path=path) from None


def write_table(df: pandas.DataFrame, path: Path) -> None:
    """Write atomically: a temporary file beside ``path``, then renamed over it (never half-written)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        if path.suffix.lower() == ".parquet":
            df.to_parquet(tmp, index=False)
        else:
            df.to_csv(tmp, index=False)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def windows_path(out: Path) -> Path:
    """``results.parquet`` -> ``results.windows.parquet``."""
    return out.with_name(f"{out.stem}.windows{out.suffix}")


def done_rows(out: Path) -> tuple[dict[tuple, dict[str, Any]], list[dict[str, Any]]]:
    """Rows of an earlier run to resume from, keyed by path, size, mtime and settings hash (errors are
    tried again), and its window rows."""
    import pandas as pd

    df = read_table(out)
    missing = set(META_COLUMNS) - set(df.columns)
    if missing:
        raise UserError(f"not a vagal-coach results table (no {', '.join(sorted(missing))} column)", path=out)
    done: dict[tuple, dict[str, Any]] = {}
    for r in df.to_dict("records"):
        r = {k: (None if (isinstance(v, float) and v != v) or v is pd.NA else v) for k, v in r.items()}
        if r.get("error"):
            continue
        done[(str(r["path"]), int(r["size_bytes"]), round(float(r["mtime"]), 6), str(r["settings_hash"]))] = r
    wrows: list[dict[str, Any]] = []
    wp = windows_path(out)
    if wp.exists():
        keep = {k[0] for k in done}
        wrows = [r for r in read_table(wp).to_dict("records") if str(r["file"]) in keep]
    return done, wrows


class Checkpointer:
    """Writes the table as it grows (atomically, at most every ``every_s``), so an interrupted run keeps
    what it did and ``--resume`` picks up from there."""

    def __init__(self, out: Path, base_rows: dict[str, dict[str, Any]], base_windows: list[dict[str, Any]],
                 with_windows: bool, every_s: float = 2.0) -> None:
        self.out, self.with_windows, self.every_s = out, with_windows, every_s
        self.rows = dict(base_rows)
        self.windows = list(base_windows)
        self._last = time.monotonic()

    def add(self, row: dict[str, Any], w: list[dict[str, Any]]) -> None:
        self.rows[row["path"]] = row
        # a recording is analysed once per run, and the windows resumed are those of rows kept: no repeats
        self.windows.extend(w)
        if time.monotonic() - self._last >= self.every_s:
            self.flush()

    def flush(self, rows: list[dict[str, Any]] | None = None, windows: list[dict[str, Any]] | None = None) -> None:
        # windows first: a run killed between the two writes leaves windows of rows not yet in the table
        # (``done_rows`` drops them, and those recordings run again), never rows whose windows are lost
        if self.with_windows:
            write_table(to_frame(windows if windows is not None else self.windows, WINDOW_COLUMNS),
                        windows_path(self.out))
        write_table(to_frame(rows if rows is not None else sorted(self.rows.values(), key=lambda r: r["path"])),
                    self.out)
        self._last = time.monotonic()


def analyze_files(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str], *,
                  scheduler: str | None = None, workers: int | None = None,
                  settings: AnalysisSettings | None = None, **options: Any) -> pandas.DataFrame:
    """Analyse files, folders or globs into one table (a pandas DataFrame, one row per recording: the
    columns of ``analyze --out``). ``options`` are the CLI's setting names (``detrend="linear"``,
    ``range_ms=(250, 2200)``, ``bands="lf=0.04-0.15"``, ...) over ``settings``; ``scheduler`` as for
    ``--scheduler`` (``None``: a local process pool). A file that cannot be read has its reason in
    ``error``; nothing is raised for it.

    >>> import vagal_coach
    >>> df = vagal_coach.analyze_files("study/", detrend="smoothness-priors", workers=4)  # doctest: +SKIP
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    try:
        s = AnalysisSettings.from_mapping(options, settings)
    except ValueError as e:
        raise UserError(str(e)) from None
    with executor_for(scheduler, workers) as ex:
        res = run_cohort(paths, s, executor=ex)
    return to_frame(res.rows)


def progress_bar(total: int, enabled: bool | None = None) -> Any:
    """A progress bar with count, rate and ETA on a terminal (rich); a no-op elsewhere."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled or total == 0:
        return contextlib.nullcontext(lambda _label="": None)
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task: Any) -> Text:
            return Text(f"{task.speed or 0.0:.1f} files/s")

    @contextlib.contextmanager
    def bar() -> Iterator[Callable[[str], None]]:
        cols = (TextColumn("analyse"), BarColumn(), MofNCompleteColumn(), Rate(), TimeElapsedColumn(),
                TextColumn("ETA"), TimeRemainingColumn())
        with Progress(*cols, transient=False) as prog:
            task = prog.add_task("files", total=total)
            def advance(_label: str = "") -> None:
                prog.advance(task)

            yield advance

    return bar()
