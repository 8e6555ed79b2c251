"""The window's settings file (theme, text size, last strap, pacer rate, chime): ``settings.json`` beside the
recordings. Each change reads the file again first, so no window's older copy undoes another's."""

from __future__ import annotations

import json
import math
from typing import Any

from vagal_coach.errors import printable
from vagal_coach.paths import data_dir, settings_path


def _number(lo: float, hi: float) -> Any:
    return lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and lo <= v <= hi


#: what each known setting may hold; a value that does not fit is left out (the default used) and named
CHECKS: dict[str, Any] = {
    "theme": lambda v: v in ("dark", "light"),
    "scale": _number(0.5, 4.0),
    "rate_bpm": _number(3.0, 10.0),
    "chime": lambda v: isinstance(v, bool),
    "last_device": lambda v: isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v),
}


def read_settings() -> tuple[dict, list[str]]:
    """The settings and, one line each, what in the file could not be used (defaults used instead)."""
    p = settings_path()
    try:
        d = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, []
    except (OSError, ValueError, RecursionError) as e:
        return {}, [f"{printable(p)}: not readable ({type(e).__name__}); default settings used"]
    if not isinstance(d, dict):
        return {}, [f"{printable(p)}: not a settings object; default settings used"]
    bad = [k for k, ok in CHECKS.items() if k in d and not ok(d[k])]
    return ({k: v for k, v in d.items() if k not in bad},
            [f"{printable(p)}: {k} {printable(repr(d[k]), 40)} not used" for k in bad])


def load_settings() -> dict:
    return read_settings()[0]


def save_settings(d: dict) -> None:
    from vagal_coach.io.atomic import private_dir, write_text

    p = settings_path()
    private_dir(p.parent, root=data_dir())
    write_text(p, json.dumps(d, indent=1), force=True)  # a temporary file renamed: never half a settings file


def update_settings(**changes: Any) -> dict:
    """Change some settings in the file and return them all."""
    d = load_settings()
    d.update(changes)
    save_settings(d)
    return d


def keep_view(theme: str, scale: float) -> None:
    """Theme and text size, kept between runs."""
    update_settings(theme=theme, scale=scale)
