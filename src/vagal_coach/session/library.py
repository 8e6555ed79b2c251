"""The session library: an index (stdlib sqlite3) of every recording, and client profiles.

The recordings stay the source of truth: the index can be deleted at any time and is rebuilt from the
files; a file that cannot be read is listed as unreadable, never dropped silently.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from vagal_coach.errors import UserError, printable
from vagal_coach.io.atomic import private_dir, write_text
from vagal_coach.paths import (
    client_folder,
    client_name,
    data_dir,
    legacy_profile_path,
    library_path,
    profile_path,
    profiles_dir,
    recordings_root,
)

COLUMNS = ("path", "profile", "start_utc", "kind", "duration_s", "n_beats", "rate_bpm", "resting_ln_rmssd",
           "session_rmssd_ms", "session_ln_rmssd", "resonance_power_ms2", "coherence", "rating",
           "artifacts_pct", "status", "error", "mtime", "size")


def _metrics(path: Path) -> dict:
    """Index facts of one recording; raises UserError when it cannot be read."""
    from vagal_coach.hrv.artifacts import correct_artifacts
    from vagal_coach.hrv.spectral import coherence_ratio, power_at, spectrum
    from vagal_coach.hrv.time_domain import time_domain
    from vagal_coach.io import read_recording

    rec = read_recording(path)
    res = correct_artifacts(rec.rr_ms, rec.beat_t_s)
    t, rr = res.t_s, res.rr_ms
    rate = rec.pacer_rate_at(t)
    paced = rate > 0
    rest = ~paced & (t < (t[paced][0] if paced.any() else np.inf))
    out: dict = {"profile": rec.profile or "default", "start_utc": rec.start_utc, "kind": rec.kind or "practice",
                 "duration_s": rec.duration_s, "n_beats": rec.n_beats, "artifacts_pct": res.share_pct}
    nan = float("nan")
    out["resting_ln_rmssd"] = time_domain(rr[rest])["ln_rmssd"] if rest.sum() >= 30 else nan
    part = paced if paced.sum() >= 30 else np.ones_like(paced)
    td = time_domain(rr[part])
    out["session_rmssd_ms"], out["session_ln_rmssd"] = td["rmssd_ms"], td["ln_rmssd"]
    # the rate most beats were paced at (a ramp's passing rates do not count against the plateau)
    if paced.any():
        vals, counts = np.unique(np.round(rate[paced] / 0.05) * 0.05, return_counts=True)
        out["rate_bpm"] = float(round(vals[np.argmax(counts)], 2))
    else:
        out["rate_bpm"] = nan
    if part.sum() >= 60:
        f, p = spectrum(t[part], rr[part])
        out["resonance_power_ms2"] = power_at(f, p, out["rate_bpm"] / 60.0) if paced.any() else nan
        out["coherence"] = coherence_ratio(f, p)[0]
    else:
        out["resonance_power_ms2"] = out["coherence"] = nan
    if rec.summary is not None:  # the session's own summary (session.summary): the figures shown at Stop
        from vagal_coach.session.summary import Summary

        s = Summary.from_dict(rec.summary)
        out["duration_s"] = s.duration_s
        out["session_rmssd_ms"], out["session_ln_rmssd"] = s.practice_rmssd_ms, s.practice_ln_rmssd
        out["resonance_power_ms2"], out["coherence"] = s.mean_resonance_ms2, s.mean_coherence
    out["rating"] = rec.guided.ratings[-1].value if rec.guided.ratings else nan
    return out


@dataclass
class Library:
    path: Path

    @classmethod
    def open(cls, path: Path | None = None) -> Library:
        lib = cls(Path(path) if path else library_path())
        try:
            private_dir(lib.path.parent, root=data_dir() if path is None else None)
            if not lib.path.exists():  # private from its first byte (SQLite's journals take its mode)
                os.close(os.open(lib.path, os.O_WRONLY | os.O_CREAT, 0o600))
            elif lib.path.stat().st_mode & 0o077:
                os.chmod(lib.path, 0o600)
        except OSError as e:
            raise UserError(f"cannot make the library index ({e.strerror})", path=lib.path) from None
        cols = ", ".join(c + (" PRIMARY KEY" if c == "path" else "") for c in COLUMNS)
        with lib._db() as db:
            db.execute(f"CREATE TABLE IF NOT EXISTS recordings ({cols})")
        return lib

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """A connection that commits on success; a read-only or damaged index is one line (the index is
        disposable: ``history --rebuild`` remakes it from the recordings)."""
        try:
            db = sqlite3.connect(self.path)
            try:
                with db:
                    yield db
            finally:
                db.close()
        except sqlite3.Error as e:
            raise UserError(f"the library index cannot be used ({e}); it is rebuilt from the recordings by "
                            "'history --rebuild' once the folder is writable", path=self.path) from None

    def index(self, path: Path) -> dict:
        p = Path(path).resolve()
        try:
            st = p.stat()
        except OSError:
            st = None
        row: dict = dict.fromkeys(COLUMNS)
        row.update(path=str(p), mtime=st.st_mtime if st else None, size=st.st_size if st else None)
        try:
            row.update(_metrics(p), status="ok", error=None)
        except UserError as e:
            row.update(status="unreadable", error=str(e), profile=Path(path).absolute().parent.name)
        except Exception as e:  # noqa: BLE001 - a damaged file must not hide the rest of the library
            row.update(status="unreadable", error=str(UserError(f"{type(e).__name__}: {e}", path=p)),
                       profile=Path(path).absolute().parent.name)
        clean = {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}
        with self._db() as db:
            db.execute(f"INSERT OR REPLACE INTO recordings VALUES ({', '.join('?' for _ in COLUMNS)})",
                       [clean[c] for c in COLUMNS])
        return clean

    def rebuild(self, root: Path | None = None) -> int:
        """Index every recording under ``root`` (the user's recordings folder); returns how many."""
        base = Path(root) if root else recordings_root()
        files = sorted(base.rglob("*.vcs.jsonl")) if base.exists() else []
        with self._db() as db:
            db.execute("DELETE FROM recordings")
        for f in files:
            self.index(f)
        return len(files)

    def refresh(self, root: Path | None = None) -> None:
        """Index new or changed files; mark vanished ones unreadable (missing)."""
        base = Path(root) if root else recordings_root()
        known = {r["path"]: r for r in self.sessions(include_unreadable=True)}
        for f in sorted(base.rglob("*.vcs.jsonl")) if base.exists() else []:
            r = known.pop(str(f.resolve()), None)
            try:
                st = f.stat()
            except OSError:  # a dangling link, a file gone meanwhile: listed as unreadable, never a stop
                st = None
            if r is None or st is None or r["mtime"] != st.st_mtime or r["size"] != st.st_size:
                self.index(f)
        for path in known:
            if not Path(path).exists():
                with self._db() as db:
                    db.execute("UPDATE recordings SET status='unreadable', error=? WHERE path=?",
                               (f"{path}: file missing", path))

    def sessions(self, profile: str | None = None, include_unreadable: bool = True) -> list[dict]:
        q = f"SELECT {', '.join(COLUMNS)} FROM recordings"
        args: list = []
        conds = []
        if profile:  # the name as typed (the recordings' headers), or its folder (an unreadable file's row)
            conds.append("(profile = ? OR profile = ?)")
            args += [client_name(profile), client_folder(profile)]
        if not include_unreadable:
            conds.append("status = 'ok'")
        if conds:
            q += " WHERE " + " AND ".join(conds)
        q += " ORDER BY start_utc, path"
        with self._db() as db:
            return [dict(zip(COLUMNS, r)) for r in db.execute(q, args).fetchall()]

    def profiles(self) -> list[str]:
        with self._db() as db:
            return [r[0] for r in db.execute("SELECT DISTINCT profile FROM recordings ORDER BY profile")]


# ---------------------------------------------------------------- profiles
def list_profiles() -> list[str]:
    """Client names as typed: those with a profile file and those with recordings (a damaged profile file
    is listed by its file name, never a stop)."""
    names: set[str] = set()
    pdir = profiles_dir()
    for f in sorted(pdir.glob("*.json")) if pdir.is_dir() else []:
        try:
            d = json.loads(f.read_text(encoding="utf-8"))
            names.add(client_name(d["name"]) if isinstance(d, dict) and isinstance(d.get("name"), str) else f.stem)
        except (OSError, ValueError, RecursionError):
            names.add(f.stem)
    folders = {client_folder(n) for n in names}
    rdir = recordings_root()
    for d in sorted(rdir.iterdir()) if rdir.is_dir() else []:
        if d.is_dir() and d.name not in folders:
            names.add(_name_in_folder(d))
    return sorted(names)


def _name_in_folder(folder: Path) -> str:
    """The client's name as typed, from the header of a recording in its folder (else the folder's name)."""
    for f in sorted(folder.glob("*.vcs.jsonl"))[:3]:
        try:
            with open(f, encoding="utf-8") as fh:
                head = json.loads(fh.readline(1 << 16))
            name = head.get("profile") if isinstance(head, dict) else None
            if isinstance(name, str) and name and client_folder(name) == folder.name:
                return client_name(name)
        except (OSError, ValueError, RecursionError):
            continue
    return folder.name


def load_profile(name: str) -> dict:
    """The client's profile; ``{"name": name}`` when there is none, or when the file is damaged (see
    ``profile_problem``): a bad file never stops the trainer."""
    d, _ = _read_profile(name)
    return d


def profile_problem(name: str) -> str | None:
    """Why the client's profile file cannot be used (one line), or None."""
    return _read_profile(name)[1]


def _read_profile(name: str) -> tuple[dict, str | None]:
    n = client_name(name)
    p = profile_path(n)
    if not p.exists():
        legacy = legacy_profile_path(n)
        if legacy != p and legacy.exists():
            try:  # the old shared slug: only if it is this client's
                old = json.loads(legacy.read_text(encoding="utf-8"))
            except (OSError, ValueError, RecursionError):
                old = None
            if isinstance(old, dict) and client_name(str(old.get("name", ""))) == n:
                return old, None
        return {"name": n}, None
    try:
        d = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as e:
        return {"name": n}, f"{p}: not a readable profile ({type(e).__name__}); defaults used"
    if not isinstance(d, dict):
        return {"name": n}, f"{p}: not a profile (a JSON object); defaults used"
    problems = []
    for key, lo, hi in (("resonance_bpm", 3.0, 10.0), ("coherence_target", 0.0, 100.0)):
        v = d.get(key)
        if v is not None and not (isinstance(v, (int, float)) and not isinstance(v, bool) and lo <= v <= hi):
            d = {k: x for k, x in d.items()
                 if not (k == key or (key == "resonance_bpm" and k.startswith("resonance_")))}
            problems.append(f"{key} {printable(repr(v), 40)} is not {lo:g}-{hi:g}")
    if problems:
        return d, f"{printable(p)}: " + "; ".join(problems) + "; not used"
    return d, None


def _save_profile(name: str, d: dict) -> Path:
    """Whole or not at all (a temporary file renamed over it: a full disk never truncates a profile), 0600.
    A damaged profile file is kept beside it (``.damaged-<time>``), never silently replaced."""
    p = profile_path(name)
    private_dir(p.parent, root=data_dir())
    if p.exists() and (profile_problem(name) or "").endswith("defaults used"):
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        with contextlib.suppress(OSError):
            os.replace(p, p.with_name(f"{p.name}.damaged-{stamp}"))
    write_text(p, json.dumps(d, indent=1, allow_nan=False), force=True)
    return p


def update_profile(name: str, **fields: object) -> Path:
    """Set some fields of a client's profile (e.g. ``coherence_target``), keeping the rest."""
    d = load_profile(name)
    d.update(name=client_name(name), **fields)
    return _save_profile(name, d)


def save_resonance(name: str, rate_bpm: float, confidence: float, protocol: str, source: str) -> Path:
    """Store an RF result in the client's profile: it becomes the pacer's default rate."""
    d = load_profile(name)
    d.update(name=client_name(name), resonance_bpm=rate_bpm, resonance_confidence=confidence,
             resonance_protocol=protocol,
             resonance_source=source, resonance_assessed_utc=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    if not isinstance(d.get("history"), list):
        d["history"] = []
    d["history"].append({k: d[k] for k in ("resonance_bpm", "resonance_confidence",
                                                          "resonance_protocol", "resonance_assessed_utc")})
    return _save_profile(name, d)


# ---------------------------------------------------------------- progress
#: what the history view and report follow over weeks: (column, title, unit)
TRENDS = (("resting_ln_rmssd", "resting lnRMSSD", "ln ms"), ("session_rmssd_ms", "session RMSSD", "ms"),
          ("resonance_power_ms2", "resonance power", "ms²"))


def _epoch_s(iso: str | None) -> float:
    if not iso:
        return float("nan")
    try:
        d = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return float("nan")
    return (d if d.tzinfo else d.replace(tzinfo=timezone.utc)).timestamp()


def progress(rows: list[dict]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per trend column: (session start, epoch s; value) of the readable sessions that have it, by date."""
    ok = [r for r in rows if r.get("status") == "ok"]
    t = np.array([_epoch_s(r.get("start_utc")) for r in ok])
    out = {}
    for col, _, _ in TRENDS:
        v = np.array([r.get(col) if isinstance(r.get(col), (int, float)) else np.nan for r in ok], dtype=float)
        keep = np.isfinite(t) & np.isfinite(v)
        order = np.argsort(t[keep], kind="stable")
        out[col] = (t[keep][order], v[keep][order])
    return out


def weekly_median(t_s: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Median per calendar week (Monday 00:00 UTC), at the week's middle: the trend line over weeks."""
    if t_s.size == 0:
        return t_s, v
    monday0 = 4 * 86400.0  # 1970-01-05 was a Monday
    week = np.floor((t_s - monday0) / (7 * 86400.0)).astype(np.int64)
    uniq, inv = np.unique(week, return_inverse=True)
    med = np.array([np.median(v[inv == k]) for k in range(uniq.size)])  # one per week: a few dozen at most
    return monday0 + (uniq + 0.5) * 7 * 86400.0, med
