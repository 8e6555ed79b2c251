"""Many recordings at once: folders and globs in, one tidy table out, on one machine or a Dask cluster.

Every recording is read and analysed alone by :func:`analyze_path` (the same
:func:`~vagal_coach.analysis.recording.analyze` as for a single file, so ``analyze a.txt`` and
``analyze a.txt b.txt`` and the table give the same figures), one after the other within a task, so a
worker's memory is bounded by the largest file, not the cohort. Tasks carry batches of recordings
(:func:`analyze_batch`): a Dask cluster's per-task cost (scheduling, serialisation) is paid once per batch.
The tasks go to a ``concurrent.futures`` executor: a local process pool by default, or a Dask distributed
cluster's executor (``Client.get_executor``): one code path for both. A bad file never stops the run:
whatever goes wrong inside one recording is its row's one-line ``error``.

The table's columns are made from the single-file analysis's JSON (:func:`flat_row`): a figure added to
the analysis is a column of the table without a change here.
"""

from __future__ import annotations

import contextlib
import fnmatch
import functools
import glob
import hashlib
import json
import math
import os
import re
import stat
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vagal_coach.analysis.recording import AnalysisSettings, analyze, to_json_dict
from vagal_coach.errors import UserError

if TYPE_CHECKING:
    import pandas

    from vagal_coach.analysis.recording import Analysis

#: what a folder walk picks up: the suffixes recordings come with (the content is sniffed all the same)
RECORDING_SUFFIXES = (".txt", ".csv", ".jsonl", ".edf", ".rr", ".tsv")
#: columns every row has before the metrics (``window_s``: the trend window the row was made with)
META_COLUMNS = ("path", "size_bytes", "mtime", "settings_hash", "window_s", "error")
#: keys of the analysis JSON that are not one figure of the recording (they stay in the JSON)
NOT_COLUMNS = ("file", "settings", "trend", "markers", "device")
#: the longest error line a row keeps
MAX_ERROR_CHARS = 300


def flat_row(d: dict[str, Any]) -> dict[str, Any]:
    """The table's figures of one analysis JSON (:func:`~vagal_coach.analysis.recording.to_json_dict`):
    every scalar key as it is, every mapping of scalars as ``KEY_SUBKEY`` (``artifacts`` ->
    ``artifacts_ectopic``, ...); the settings, trend, markers and device stay in the JSON."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        if k in NOT_COLUMNS:
            continue
        if isinstance(v, dict):
            for kk, vv in v.items():
                if vv is None or isinstance(vv, (int, float, str, bool)):
                    out[f"{k}_{kk}"] = vv
        elif v is None or isinstance(v, (int, float, str, bool)):
            out[k] = v
    return out


@functools.lru_cache(maxsize=1)
def metric_columns() -> tuple[str, ...]:
    """The figures' columns, in the analysis JSON's order: those of a reference analysis (ten minutes of
    synthetic beats), so every table has them all whichever files it holds."""
    import numpy as np

    from vagal_coach.model import Recording

    rng = np.random.default_rng(0)
    t = np.arange(750) * 0.8
    rr = 800.0 + 40.0 * np.sin(2 * np.pi * 0.1 * t) + rng.normal(0.0, 10.0, t.size)
    rec = Recording(rr, np.cumsum(rr) / 1000.0, format="rr-text")
    return tuple(flat_row(to_json_dict(analyze(rec))))


def columns() -> tuple[str, ...]:
    return META_COLUMNS + metric_columns()


def window_columns() -> tuple[str, ...]:
    from vagal_coach.analysis.windows import metric_keys

    return ("file", "window_start_s", "window_end_s", "partial", "n_beats", *metric_keys())


def __getattr__(name: str) -> Any:  # COLUMNS, METRIC_COLUMNS, WINDOW_COLUMNS: made on first use
    if name == "COLUMNS":
        return columns()
    if name == "METRIC_COLUMNS":
        return metric_columns()
    if name == "WINDOW_COLUMNS":
        return window_columns()
    raise AttributeError(name)


def settings_hash(settings: AnalysisSettings) -> str:
    """A short digest of every analysis setting: a row is reused by ``--resume`` only under the same one."""
    blob = json.dumps(settings.as_dict(), sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def one_line(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    """``text`` as one printable line of at most ``limit`` characters (control characters escaped)."""
    s = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return s if len(s) <= limit else s[:limit - 1] + "…"


# ---------------------------------------------------------------- finding the recordings
@dataclass
class Found:
    """What :func:`discover` found: the recordings, and what it left out with the reason."""

    files: list[Path]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): not a regular file, ...
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (folder, reason)

    def notes(self) -> list[str]:
        return ([f"{one_line(p)}: skipped, {why}" for p, why in self.skipped]
                + [f"{one_line(p)}: folder not read ({why})" for p, why in self.unreadable])


def _kind(mode: int) -> str | None:
    """Why a file of this mode is not read (None: a regular file)."""
    if stat.S_ISREG(mode):
        return None
    for test, name in ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISDIR, "a folder")):
        if test(mode):
            return f"{name}, not a regular file"
    return "not a regular file"


def _glob_parts(pattern: str) -> tuple[str, list[str]]:
    """``"s/**/*.txt"`` -> (``"s"``, ``["**", "*.txt"]``): the fixed root and the magic parts."""
    parts = Path(pattern).parts
    i = next(k for k, q in enumerate(parts) if glob.has_magic(q))
    root = str(Path(*parts[:i])) if i else "."
    return root, list(parts[i:])


def _match(rel: tuple[str, ...], pat: list[str]) -> bool:
    """Does a relative path match the glob parts (``**`` any number of folders, hidden names only for a
    part that starts with a dot, as :mod:`glob` does)?"""

    @functools.cache
    def m(i: int, j: int) -> bool:
        if j == len(pat):
            return i == len(rel)
        if pat[j] == "**":
            if m(i, j + 1):
                return True
            return i < len(rel) and not rel[i].startswith(".") and m(i + 1, j)
        if i == len(rel):
            return False
        name = rel[i]
        if name.startswith(".") and not pat[j].startswith("."):
            return False
        return fnmatch.fnmatchcase(name, pat[j]) and m(i + 1, j + 1)

    return m(0, 0)


def _walk(root: Path, found: Found, seen_dirs: set[tuple[int, int]]) -> Iterator[Path]:
    """Every entry under ``root`` once: symbolic links to folders are followed, but a folder already
    visited (a link loop, or two links to one folder) is not entered again; unreadable folders are noted."""
    def onerror(e: OSError) -> None:
        found.unreadable.append((str(e.filename or root), e.strerror or type(e).__name__))

    for dirpath, dirs, files in os.walk(root, onerror=onerror, followlinks=True):
        try:
            st = os.stat(dirpath)
        except OSError as e:
            found.unreadable.append((dirpath, e.strerror or type(e).__name__))
            dirs[:] = []
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            dirs[:] = []
            continue
        seen_dirs.add(key)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for f in sorted(files):
            yield Path(dirpath) / f
        for d in dirs:
            yield Path(dirpath) / d  # folders too, for patterns that name them


def discover(paths: Iterable[str | os.PathLike[str]], exclude: Iterable[str | os.PathLike[str]] = ()) -> Found:
    """Every recording under ``paths``: a file as given, a folder walked recursively (files with a
    recording's suffix, hidden ones left out), or a glob (``**`` for any depth). Sorted, each file once
    (by path, and by device and inode: two links to one file are one recording). Only regular files are
    kept: pipes, sockets and devices are noted in ``skipped``, folders that cannot be read in
    ``unreadable``. Symbolic-link loops are walked once. ``exclude``: files never taken (the output table
    and its companions). A path that does not exist is kept (its reader names it, as for any bad file).

    Raises :class:`UserError` naming a glob that matches nothing."""
    found = Found([])
    out: dict[str, Path] = {}
    inodes: set[tuple[int, int]] = set()
    excluded: set[Any] = set()
    for x in exclude:
        excluded.add(os.path.realpath(x))
        with contextlib.suppress(OSError):
            st = os.stat(x)
            excluded.add((st.st_dev, st.st_ino))

    def take(q: Path, explicit: bool) -> None:
        key = str(q)
        if key in out:
            return
        try:
            st = os.stat(q)
        except OSError:
            if explicit:
                out[key] = q  # its reader names why (no such file, permission, a dangling link)
            return
        ident = (st.st_dev, st.st_ino)
        if ident in excluded or os.path.realpath(q) in excluded:
            return
        why = _kind(st.st_mode)
        if why is not None:
            if not stat.S_ISDIR(st.st_mode):
                found.skipped.append((key, why))
            return
        if ident in inodes:
            return
        inodes.add(ident)
        out[key] = q

    seen_dirs: set[tuple[int, int]] = set()
    for raw in paths:
        s = str(raw)
        p = Path(s)
        if p.is_dir():
            for q in _walk(p, found, seen_dirs):
                if not q.name.startswith(".") and q.name.lower().endswith(RECORDING_SUFFIXES):
                    take(q, False)
        elif os.path.lexists(s) or not glob.has_magic(s):
            take(p, True)
        else:
            root, pat = _glob_parts(s)
            n_before = len(out) + len(found.skipped)
            rp = Path(root)
            if rp.is_dir():
                for q in _walk(rp, found, set()):
                    if _match(q.relative_to(rp).parts, pat):
                        take(q if root != "." else Path(os.path.relpath(q)), False)
            if len(out) + len(found.skipped) == n_before:
                raise UserError("no file matches this pattern", path=s)
    found.files = sorted(out.values(), key=str)
    return found


def find_recordings(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The recordings :func:`discover` finds under ``paths``."""
    return discover(paths).files


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


# ---------------------------------------------------------------- one recording, a batch of them
@dataclass
class Outcome:
    """What became of one recording: its analysis JSON, or the one-line reason it has none."""

    path: str
    size_bytes: int | None = None
    mtime: float | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    analysis: Analysis | None = None  # only when asked (in-process: a report needs it)


def analyze_path(path: str | os.PathLike[str], settings: AnalysisSettings, keep_analysis: bool = False
                 ) -> Outcome:
    """Read and analyse one recording: the one analysis of ``analyze``, for one file or many. Whatever
    goes wrong inside it (a reader's :class:`UserError`, or any exception a damaged file provokes) is
    its one-line ``error``; only ``KeyboardInterrupt`` and ``SystemExit`` pass."""
    from vagal_coach.io import read_recording

    p = Path(path)
    o = Outcome(str(path))
    try:
        try:
            st = os.stat(p)
        except FileNotFoundError:
            st = None  # the reader says "no such file" in its words
        if st is not None:
            why = _kind(st.st_mode)
            if why is not None:
                raise UserError(why, path=p)
            o.size_bytes, o.mtime = int(st.st_size), round(float(st.st_mtime), 6)
        rec = read_recording(p)
        a = analyze(rec, settings)
        o.result = to_json_dict(a)
        if keep_analysis:
            o.analysis = a
    except UserError as e:
        o.error = one_line(str(e))
    except Exception as e:  # noqa: BLE001 - a file the readers did not foresee: still its one line
        o.error = one_line(f"{path}: {type(e).__name__}: {e}")
    return o


def analyze_batch(paths: list[str], settings: AnalysisSettings) -> list[Outcome]:
    """One task: the recordings of a batch, each read and analysed alone, one after the other."""
    return [analyze_path(p, settings) for p in paths]


def batches(items: list[str], n_workers: int, max_size: int = 32) -> list[list[str]]:
    """Split ``items`` into batches: about four per worker (so a slow one is balanced by the others),
    at most ``max_size`` each (so progress and checkpoints keep moving)."""
    if not items:
        return []
    size = max(1, min(max_size, math.ceil(len(items) / (4 * max(1, n_workers)))))
    return [items[i:i + size] for i in range(0, len(items), size)]


def outcomes(files: Iterable[str | os.PathLike[str]], settings: AnalysisSettings, executor: Executor | None = None,
             *, ordered: bool = False, keep_analysis: bool = False) -> Iterator[Outcome]:
    """The outcome of each file, analysed in this process (``executor`` None) or in batches on
    ``executor``; in the files' order when ``ordered``, else as they finish. A task whose worker died
    (a crash, out of memory) gives each of its recordings that one-line error."""
    todo = [str(f) for f in files]
    if executor is None or len(todo) <= 1:
        for p in todo:
            yield analyze_path(p, settings, keep_analysis)
        return
    n = int(getattr(executor, "vc_workers", 0) or getattr(executor, "_max_workers", 0) or os.cpu_count() or 1)
    futures: dict[Future, list[str]] = {executor.submit(analyze_batch, b, settings): b for b in batches(todo, n)}

    def results(f: Future) -> list[Outcome]:
        try:
            return f.result()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as e:  # noqa: BLE001 - the worker died: its recordings say so, the run goes on
            return [Outcome(p, error=one_line(f"{p}: the worker analysing it stopped ({type(e).__name__}: {e})"))
                    for p in futures[f]]

    try:
        for f in (list(futures) if ordered else as_completed(futures)):
            yield from results(f)
    finally:
        for f in futures:
            f.cancel()


def row_of(o: Outcome, digest: str, settings: AnalysisSettings, windows: bool = False
           ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The table row of one outcome (``error`` set instead of figures when it has none), and its window
    rows when ``settings.window_s`` is set and ``windows``."""
    row: dict[str, Any] = dict.fromkeys(columns())
    row.update(path=o.path, size_bytes=o.size_bytes, mtime=o.mtime, settings_hash=digest,
               window_s=settings.window_s, error=o.error)
    if o.result is None:
        return row, []
    row.update(flat_row(o.result))
    wrows: list[dict[str, Any]] = []
    trend = o.result.get("trend") if windows else None
    if trend:
        keys = window_columns()[4:]
        for i, start in enumerate(trend["start_s"]):
            wrows.append({"file": o.path, "window_start_s": start, "window_end_s": trend["end_s"][i],
                          "partial": bool(trend["partial"][i]), **{k: trend[k][i] for k in keys}})
    return row, wrows


def analyze_one(path: str, settings: AnalysisSettings, digest: str, windows: bool = False
                ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The table row (and window rows) of one recording, analysed in this process."""
    return row_of(analyze_path(path, settings), digest, settings, windows)


@dataclass
class CohortResult:
    rows: list[dict[str, Any]]  # every recording of the run, in path order (resumed ones included)
    window_rows: list[dict[str, Any]] = field(default_factory=list)
    n_new: int = 0  # analysed in this run (the rest came from the table being resumed)
    found: Found | None = None  # what was found, skipped and not read

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r.get("error")]

    def exit_code(self) -> int:
        """0 when every recording was read, 1 when some failed (or a folder could not be read), 2 when
        none could be (or none was found)."""
        if not self.rows:
            return 2
        n_bad = len(self.failed)
        if n_bad == len(self.rows):
            return 2
        return 1 if n_bad or (self.found is not None and self.found.unreadable) else 0


def _worker_init() -> None:
    """Workers leave Ctrl-C to the parent, which writes what is done and stops them; each runs its BLAS
    on one thread, as Dask's workers do (one worker per core already: more threads only contend, and
    OpenBLAS's waiting threads cost a busy machine up to half the run)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # (the cluster extra brings it)
        return
    threadpool_limits(limits=1)


_SCHEDULER = re.compile(r"^(tcp|tls|ucx|ws|wss|inproc)://\S+$")


def check_scheduler(scheduler: str | None, workers: int | None) -> None:
    """One line (:class:`UserError`) for a ``--scheduler`` or ``--workers`` that cannot be used."""
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise UserError(f"--workers must be a whole number of at least 1, not {workers!r}")
    if scheduler is not None and scheduler != "local" and not _SCHEDULER.match(scheduler):
        raise UserError(f"--scheduler must be 'local' or a Dask scheduler's address such as tcp://HOST:8786, "
                        f"not {one_line(scheduler, 80)!r}")


@contextlib.contextmanager
def executor_for(scheduler: str | None = None, workers: int | None = None,
                 say: Callable[[str], None] | None = None, security: Any = None) -> Iterator[Executor | None]:
    """Where the tasks run: ``None`` -> a local process pool of ``workers`` (all cores; in this process
    when 1); ``"local"`` -> a Dask ``LocalCluster`` on this machine's loopback (its dashboard link is
    said); ``"tcp://HOST:8786"`` -> an existing Dask distributed cluster, whose workers must see the same
    paths. The executor's ``vc_workers`` says how many tasks run at once (batches are sized on it)."""
    check_scheduler(scheduler, workers)
    n = workers or os.cpu_count() or 1
    if scheduler is None:
        if n <= 1:
            yield None
            return
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=n, initializer=_worker_init) as ex:
            ex.vc_workers = n  # type: ignore[attr-defined]
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
                cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address="127.0.0.1:0")
            client = Client(cluster)
            n_run = n
            if say:
                say(f"Dask LocalCluster with {n} workers; dashboard: {client.dashboard_link}")
        else:
            client = Client(scheduler, timeout=10, security=security)  # a tls:// cluster's certificates
            n_run = sum(client.nthreads().values()) or 1
            if say:
                say(f"Dask cluster at {scheduler}: {len(client.scheduler_info()['workers'])} workers; "
                    f"dashboard: {client.dashboard_link}")
    except (OSError, TimeoutError) as e:
        raise UserError(f"cannot reach the Dask scheduler ({e}); is it running, and the address right?",
                        path=scheduler) from None
    except ValueError as e:  # an address Dask cannot parse
        raise UserError(f"not a Dask scheduler's address ({e})", path=scheduler) from None
    except MemoryError:  # something answers there, not in Dask's protocol (a frame "length" of exabytes)
        raise UserError("the address answers, but not as a Dask scheduler", path=scheduler) from None
    try:
        ex = client.get_executor(pure=False)
        ex.vc_workers = n_run
        yield ex
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_cohort(paths: Iterable[str | os.PathLike[str]] | Found, settings: AnalysisSettings | None = None, *,
               executor: Executor | None = None, done: dict[tuple, dict[str, Any]] | None = None,
               windows: bool = False, on_row: Callable[[dict[str, Any], list[dict[str, Any]]], None] | None = None
               ) -> CohortResult:
    """Analyse every recording under ``paths`` (see :func:`discover`; or what it found) with ``executor``
    (in this process when ``None``), in batches. ``done`` maps ``(path, size_bytes, mtime,
    settings_hash)`` to rows already in a table being resumed: those recordings are not analysed again.
    ``on_row`` is called as each finishes."""
    s = settings or AnalysisSettings()
    digest = settings_hash(s)
    found = paths if isinstance(paths, Found) else discover(paths)
    files = found.files
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
    for o in outcomes(todo, s, executor):
        row, w = row_of(o, digest, s, windows)
        rows[row["path"]] = row
        wrows.extend(w)
        if on_row:
            on_row(row, w)
    ordered = [rows[str(p)] for p in files if str(p) in rows]
    return CohortResult(ordered, sorted(wrows, key=lambda r: (r["file"], r["window_start_s"])), len(todo), found)


# ---------------------------------------------------------------- tables
def to_frame(rows: list[dict[str, Any]], cols: tuple[str, ...] | None = None) -> pandas.DataFrame:
    """The rows as a table: the columns ``cols`` (default :func:`columns`), then any other key the rows
    have (a figure the reference analysis lacks), in the order they first appear."""
    import pandas as pd

    base = list(cols if cols is not None else columns())
    known = set(base)
    for r in rows:
        for k in r:
            if k not in known:
                known.add(k)
                base.append(k)
    df = pd.DataFrame(rows, columns=base)
    for c in ("path", "settings_hash", "error", "format", "file"):
        if c in df:
            df[c] = df[c].astype("string")
    return df


def read_table(path: Path) -> pandas.DataFrame:
    import pandas as pd

    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype={"path": "string", "settings_hash": "string", "error": "string",
                                        "file": "string"})
    except Exception as e:  # noqa: BLE001 - any unreadable table: one line
        raise UserError(f"cannot read the table to resume ({type(e).__name__}: {one_line(str(e), 200)})",
                        path=path) from None


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


def lock_path(out: Path) -> Path:
    return out.with_name(f".{out.name}.lock")


def companions(out: Path) -> list[Path]:
    """The files a table run writes: never inputs of it."""
    return [out, windows_path(out), lock_path(out)]


@contextlib.contextmanager
def table_lock(out: Path) -> Iterator[None]:
    """Hold ``out``'s lock while it is written: a second run on the same table is one line (the lock is
    the operating system's, so a run that was killed leaves none behind)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    lp = lock_path(out)
    try:
        fd = os.open(lp, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as e:
        raise UserError(f"cannot create the table's lock file {lp.name} ({e.strerror})", path=out) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise UserError("another run is writing this table; wait for it to finish (or stop it) and "
                            "--resume", path=out) from None
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                lp.unlink()
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _none(v: Any) -> Any:
    import pandas as pd

    if v is pd.NA or (isinstance(v, float) and v != v):
        return None
    return v


def table_windows(out: Path) -> set[float | None]:
    """The trend windows the rows of a table were made with (None: no windows)."""
    df = read_table(out)
    if "window_s" not in df.columns or df.empty:
        return set()
    ok = df[df["error"].isna()] if "error" in df.columns else df
    return {_none(v) for v in ok["window_s"].tolist()}


def done_rows(out: Path) -> tuple[dict[tuple, dict[str, Any]], list[dict[str, Any]]]:
    """Rows of an earlier run to resume from, keyed by path, size, mtime and settings hash (errors are
    tried again), and its window rows."""
    df = read_table(out)
    missing = {"path", "size_bytes", "mtime", "settings_hash", "error"} - set(df.columns)
    if missing:
        raise UserError(f"not a vagal-coach results table (no {', '.join(sorted(missing))} column)", path=out)
    done: dict[tuple, dict[str, Any]] = {}
    for r in df.to_dict("records"):
        r = {k: _none(v) for k, v in r.items()}
        if r.get("error") or r.get("size_bytes") is None or r.get("mtime") is None:
            continue
        done[(str(r["path"]), int(r["size_bytes"]), round(float(r["mtime"]), 6), str(r["settings_hash"]))] = r
    wrows: list[dict[str, Any]] = []
    wp = windows_path(out)
    if wp.exists():
        keep = {k[0] for k in done}
        wrows = [{k: _none(v) for k, v in r.items()} for r in read_table(wp).to_dict("records")
                 if str(r["file"]) in keep]
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
        # a recording is analysed once per run, and ``base_windows`` are those of the rows reused (the
        # caller leaves out those of a recording analysed again): no repeats, no stale windows
        self.windows.extend(w)
        if time.monotonic() - self._last >= self.every_s:
            self.flush()

    def flush(self, rows: list[dict[str, Any]] | None = None, windows: list[dict[str, Any]] | None = None) -> None:
        # windows first: a run killed between the two writes leaves windows of rows not yet in the table
        # (``done_rows`` drops them, and those recordings run again), never rows whose windows are lost
        if self.with_windows:
            write_table(to_frame(windows if windows is not None else self.windows, window_columns()),
                        windows_path(self.out))
        write_table(to_frame(rows if rows is not None else sorted(self.rows.values(), key=lambda r: r["path"])),
                    self.out)
        self._last = time.monotonic()


def analyze_files(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str], *,
                  scheduler: str | None = None, workers: int | None = None,
                  settings: AnalysisSettings | None = None, **options: Any) -> pandas.DataFrame:
    """Analyse files, folders or globs into one table (a pandas DataFrame, one row per recording: the
    columns of ``analyze --out``). ``options`` are the CLI's setting names (``detrend="linear"``,
    ``range_ms=(250, 2200)``, ``bands="lf=0.04-0.15"``, ``window=60``, ...) over ``settings``;
    ``scheduler`` as for ``--scheduler`` (``None``: a local process pool). A file that cannot be read has
    its reason in ``error``; nothing is raised for it. With a ``window``, the table of windows (the
    columns of ``OUT.windows.parquet``) is ``df.attrs["windows"]``.

    >>> import vagal_coach
    >>> df = vagal_coach.analyze_files("study/", detrend="smoothness-priors", workers=4)  # doctest: +SKIP
    >>> w = vagal_coach.analyze_files("study/", window=300).attrs["windows"]  # doctest: +SKIP
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    try:
        s = AnalysisSettings.from_mapping(options, settings)
    except ValueError as e:
        raise UserError(str(e)) from None
    with executor_for(scheduler, workers) as ex:
        res = run_cohort(paths, s, executor=ex, windows=bool(s.window_s))
    df = to_frame(res.rows)
    if s.window_s:
        df.attrs["windows"] = to_frame(res.window_rows, window_columns())
    return df


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
