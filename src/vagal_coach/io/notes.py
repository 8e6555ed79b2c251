"""A clinician's notes on a recording: markers and notes added in review, kept in a sidecar file beside the
recording (``<recording>.notes``, JSON Lines: ``{"type": "marker", "t", "label", "note", "added_utc"}``), so
the client's recording keeps its bytes as recorded. :func:`vagal_coach.io.read_recording` reads the sidecar
with the recording (its markers join the recording's). The sidecar is written whole (a temporary file
renamed), mode 0600.
"""

from __future__ import annotations

import json
import math
import os
from datetime import datetime, timezone
from pathlib import Path

from vagal_coach.io.atomic import write_text
from vagal_coach.model import Marker

SUFFIX = ".notes"
#: a sidecar larger than this is not read (notes are a few lines)
MAX_BYTES = 4 << 20


def notes_path(recording: str | os.PathLike[str]) -> Path:
    p = Path(recording)
    return p.with_name(p.name + SUFFIX)


def read_notes(recording: str | os.PathLike[str]) -> list[Marker]:
    """The markers in the recording's sidecar (none when there is none; damaged lines skipped)."""
    p = notes_path(recording)
    try:
        if not p.is_file() or p.stat().st_size > MAX_BYTES:
            return []
        lines = p.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    out = []
    for ln in lines:
        try:
            o = json.loads(ln)
            if isinstance(o, dict) and o.get("type") == "marker":
                t = float(o["t"])
                if math.isfinite(t):
                    out.append(Marker(t, str(o.get("label", "")), str(o.get("note", ""))))
        except (ValueError, TypeError, KeyError, RecursionError):
            continue
    return out


def add_note(recording: str | os.PathLike[str], t_s: float, label: str, note: str = "") -> Path:
    """Add a marker (and its note) to the recording's sidecar; the recording itself is not touched."""
    p = notes_path(recording)
    try:
        old = p.read_text(encoding="utf-8") if p.is_file() else ""
    except (OSError, UnicodeDecodeError):
        old = ""
    if old and not old.endswith("\n"):
        old += "\n"
    line = json.dumps({"type": "marker", "t": round(float(t_s), 4), "label": label, "note": note,
                       "added_utc": datetime.now(timezone.utc).isoformat(timespec="seconds")},
                      ensure_ascii=False, allow_nan=False)
    return write_text(p, old + line + "\n", force=True, inputs=[recording])
